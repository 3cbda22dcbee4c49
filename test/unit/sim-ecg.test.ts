import { describe, expect, it } from "vitest";
import { decodeEcgSamples, ECG_RHYTHMS, encodeEcgSamples, generateEcgStrip, type TEcgStrip } from "@/lib/sim/ecg";

const SEEDS = [1, 2, 3, 4, 5];

function getRrIntervalsS(strip: TEcgStrip): number[] {
  return strip.beatTimesS.slice(1).map((time, index) => time - (strip.beatTimesS[index] as number));
}

function isSameSamples(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function coefficientOfVariation(values: readonly number[]): number {
  const average = mean(values);
  return Math.sqrt(mean(values.map((value) => (value - average) ** 2))) / average;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** The samples from fromS to toS around each beat (equal lengths), for beats whose window lies inside the strip. */
function getBeatWindows(strip: TEcgStrip, fromS: number, toS: number, include: (index: number) => boolean = () => true): number[][] {
  const rate = strip.sampleRateHz;
  const length = Math.round((toS - fromS) * rate);
  const windows: number[][] = [];
  strip.beatTimesS.forEach((time, index) => {
    const start = Math.round((time + fromS) * rate);
    const end = start + length;
    if (start < 0 || end > strip.samples.length || !include(index)) return;
    windows.push(Array.from(strip.samples.subarray(start, end)));
  });
  return windows;
}

function getEnsembleAverage(windows: readonly number[][]): number[] {
  const length = (windows[0] as number[]).length;
  return Array.from({ length }, (_, position) => mean(windows.map((window) => window[position] as number)));
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const meanA = mean(a);
  const meanB = mean(b);
  let cross = 0;
  let squaresA = 0;
  let squaresB = 0;
  a.forEach((value, index) => {
    const deltaA = value - meanA;
    const deltaB = (b[index] as number) - meanB;
    cross += deltaA * deltaB;
    squaresA += deltaA * deltaA;
    squaresB += deltaB * deltaB;
  });
  // A flat window (the lead pinned to a rail) matches nothing.
  return squaresA > 0 && squaresB > 0 ? cross / Math.sqrt(squaresA * squaresB) : 0;
}

/** Mean correlation of each beat (+-250 ms around R) with the strip's average beat. */
function getTemplateCorrelation(strip: TEcgStrip): number {
  const windows = getBeatWindows(strip, -0.25, 0.25);
  const template = getEnsembleAverage(windows);
  return mean(windows.map((window) => correlation(window, template)));
}

/** QRS width at half height: the run of samples around the largest deflection near R that stay above half of it. */
function getQrsWidthS(strip: TEcgStrip, beatIndex: number): number {
  const rate = strip.sampleRateHz;
  const centre = Math.round((strip.beatTimesS[beatIndex] as number) * rate);
  const baseline = median(Array.from(strip.samples.subarray(centre - Math.round(0.35 * rate), centre - Math.round(0.25 * rate))));
  const deviation = (index: number) => (strip.samples[index] as number) - baseline;
  let peakIndex = centre;
  for (let index = centre - Math.round(0.06 * rate); index <= centre + Math.round(0.06 * rate); index += 1) {
    if (Math.abs(deviation(index)) > Math.abs(deviation(peakIndex))) peakIndex = index;
  }
  const half = deviation(peakIndex) / 2;
  const above = (index: number) => (half > 0 ? deviation(index) >= half : deviation(index) <= half);
  let left = peakIndex;
  let right = peakIndex;
  while (above(left - 1)) left -= 1;
  while (above(right + 1)) right += 1;
  return (right - left + 1) / rate;
}

describe("generateEcgStrip", () => {
  it("is a pure function of its options and seed", () => {
    for (const rhythm of ECG_RHYTHMS) {
      const first = generateEcgStrip({ seed: 42, rhythm });
      const second = generateEcgStrip({ seed: 42, rhythm });
      expect(isSameSamples(second.samples, first.samples)).toBe(true);
      expect(second.beatTimesS).toEqual(first.beatTimesS);
      expect(second.beatKinds).toEqual(first.beatKinds);
      expect(isSameSamples(generateEcgStrip({ seed: 43, rhythm }).samples, first.samples)).toBe(false);
    }
  });

  it("returns durationS x sampleRateHz samples in millivolts, 250 Hz and 30 s by default", () => {
    const strip = generateEcgStrip({ seed: 1 });
    expect(strip.sampleRateHz).toBe(250);
    expect(strip.samples).toBeInstanceOf(Float32Array);
    expect(strip.samples.length).toBe(30 * 250);
    expect(strip.rhythm).toBe("normal_sinus");
    expect(generateEcgStrip({ seed: 1, durationS: 10, sampleRateHz: 500 }).samples.length).toBe(5000);
    const peak = Math.max(...strip.samples);
    expect(peak).toBeGreaterThan(0.4);
    expect(peak).toBeLessThan(2.5);
  });

  it("places one R peak per requested beat: count within 10 % of rate x duration, each on the signal's peak", () => {
    const cases = [
      { rhythm: "normal_sinus", heartRateBpm: 72 },
      { rhythm: "tachycardia", heartRateBpm: 135 },
      { rhythm: "bradycardia", heartRateBpm: 42 },
      { rhythm: "atrial_fibrillation", heartRateBpm: 110 },
      { rhythm: "ventricular_ectopy", heartRateBpm: 75 },
    ] as const;
    for (const { rhythm, heartRateBpm } of cases) {
      for (const seed of SEEDS) {
        const strip = generateEcgStrip({ seed, rhythm, heartRateBpm, noiseLevel: 0 });
        const expected = (30 * heartRateBpm) / 60;
        expect(Math.abs(strip.beatTimesS.length - expected) / expected, `${rhythm} seed ${seed}`).toBeLessThan(0.1);
        expect(strip.beatKinds.length).toBe(strip.beatTimesS.length);
        // Every labelled R peak is the largest deflection within +-60 ms (to the sample).
        const rate = strip.sampleRateHz;
        strip.beatTimesS.forEach((time) => {
          const centre = Math.round(time * rate);
          if (centre < 15 || centre >= strip.samples.length - 15) return;
          let best = centre;
          for (let index = centre - 15; index <= centre + 15; index += 1) {
            if (Math.abs(strip.samples[index] as number) > Math.abs(strip.samples[best] as number)) best = index;
          }
          expect(Math.abs(best - centre)).toBeLessThanOrEqual(1);
        });
      }
    }
  });

  it("has regular sinus rhythms and an irregularly irregular AF", () => {
    for (const seed of SEEDS) {
      for (const rhythm of ["normal_sinus", "tachycardia", "bradycardia"] as const) {
        expect(coefficientOfVariation(getRrIntervalsS(generateEcgStrip({ seed, rhythm }))), `${rhythm} seed ${seed}`).toBeLessThan(0.1);
      }
      expect(coefficientOfVariation(getRrIntervalsS(generateEcgStrip({ seed, rhythm: "atrial_fibrillation" })))).toBeGreaterThan(0.12);
    }
  });

  it("draws tachycardia above 100 bpm and bradycardia below 50 bpm", () => {
    for (const seed of SEEDS) {
      expect(60 / mean(getRrIntervalsS(generateEcgStrip({ seed, rhythm: "tachycardia" })))).toBeGreaterThan(100);
      expect(60 / mean(getRrIntervalsS(generateEcgStrip({ seed, rhythm: "bradycardia" })))).toBeLessThan(50);
    }
  });

  it("has P waves before sinus beats and none in AF (signal-averaged 250-120 ms before R)", () => {
    for (const seed of SEEDS) {
      const amplitudeBeforeR = (strip: TEcgStrip) => {
        const rr = getRrIntervalsS(strip);
        // Leave out beats after very short cycles, where the previous T wave reaches the window.
        const windows = getBeatWindows(strip, -0.25, -0.12, (index) => index > 0 && (rr[index - 1] as number) > 0.55);
        const average = getEnsembleAverage(windows);
        return Math.max(...average) - Math.min(...average);
      };
      const sinus = amplitudeBeforeR(generateEcgStrip({ seed, rhythm: "normal_sinus", heartRateBpm: 75 }));
      const fibrillation = amplitudeBeforeR(generateEcgStrip({ seed, rhythm: "atrial_fibrillation", heartRateBpm: 75 }));
      expect(sinus, `seed ${seed}`).toBeGreaterThan(0.05);
      expect(fibrillation, `seed ${seed}`).toBeLessThan(0.5 * sinus);
    }
  });

  it("adds premature ventricular beats with wide QRS and a compensatory pause to ectopy strips", () => {
    for (const seed of SEEDS) {
      const strip = generateEcgStrip({ seed, rhythm: "ventricular_ectopy", noiseLevel: 0.1 });
      const rr = getRrIntervalsS(strip);
      const inner = strip.beatKinds.map((_, index) => index).filter((index) => index > 0 && index < strip.beatKinds.length - 1);
      const ectopic = inner.filter((index) => strip.beatKinds[index] === "V");
      const normal = inner.filter((index) => strip.beatKinds[index] === "N" && strip.beatKinds[index - 1] === "N");
      expect(ectopic.length, `seed ${seed}`).toBeGreaterThan(0);
      expect(ectopic.length / strip.beatKinds.length).toBeLessThan(0.5);
      expect(generateEcgStrip({ seed, rhythm: "normal_sinus" }).beatKinds.every((kind) => kind === "N")).toBe(true);

      const ectopicWidthS = mean(ectopic.map((index) => getQrsWidthS(strip, index)));
      const normalWidthS = mean(normal.map((index) => getQrsWidthS(strip, index)));
      expect(ectopicWidthS, `seed ${seed}`).toBeGreaterThan(1.6 * normalWidthS);

      // Early beat, then a pause: the pair of intervals around a PVC spans two sinus cycles.
      const sinusRr = median(normal.map((index) => rr[index - 1] as number));
      for (const index of ectopic) {
        const before = rr[index - 1] as number;
        const after = rr[index] as number;
        expect(before).toBeLessThan(0.85 * sinusRr);
        expect(after).toBeGreaterThan(before);
        expect(Math.abs(before + after - 2 * sinusRr) / (2 * sinusRr)).toBeLessThan(0.15);
      }
    }
  });

  it("makes noise strips unreadable: beats no longer match their template", () => {
    for (const seed of SEEDS) {
      const clean = getTemplateCorrelation(generateEcgStrip({ seed, rhythm: "normal_sinus" }));
      const noisy = getTemplateCorrelation(generateEcgStrip({ seed, rhythm: "noise" }));
      expect(clean, `seed ${seed}`).toBeGreaterThan(0.9);
      expect(noisy, `seed ${seed}`).toBeLessThan(0.5);
    }
  });

  it("scales noise and wander with noiseLevel", () => {
    const highFrequencyPower = (strip: TEcgStrip) => mean(Array.from(strip.samples.subarray(1), (value, index) => (value - (strip.samples[index] as number)) ** 2));
    const clean = highFrequencyPower(generateEcgStrip({ seed: 7, noiseLevel: 0 }));
    const noisy = highFrequencyPower(generateEcgStrip({ seed: 7, noiseLevel: 1 }));
    expect(noisy).toBeGreaterThan(2 * clean);
  });
});

describe("encodeEcgSamples / decodeEcgSamples", () => {
  it("round-trips millivolts through little-endian int16 microvolts within 1 uV", () => {
    const { samples } = generateEcgStrip({ seed: 3, rhythm: "ventricular_ectopy" });
    const encoded = encodeEcgSamples(samples);
    expect(encoded.byteLength).toBe(samples.length * 2);
    const decoded = decodeEcgSamples(encoded);
    expect(decoded.length).toBe(samples.length);
    decoded.forEach((value, index) => expect(Math.abs(value - (samples[index] as number))).toBeLessThanOrEqual(0.001));
  });

  it("writes little-endian microvolts and clamps to the int16 range", () => {
    const encoded = encodeEcgSamples(Float32Array.from([0.001, -0.002, 1.5, 40, -40, Number.NaN]));
    expect([...encoded.subarray(0, 4)]).toEqual([1, 0, 0xfe, 0xff]);
    expect([...decodeEcgSamples(encoded)].map((value) => Math.round(value * 1000))).toEqual([1, -2, 1500, 32767, -32768, 0]);
  });

  it("decodes a byte view that does not start at offset 0", () => {
    const backing = new Uint8Array(6);
    backing.set(encodeEcgSamples(Float32Array.from([0.25, -0.5])), 2);
    expect([...decodeEcgSamples(backing.subarray(2))]).toEqual([0.25, -0.5]);
  });

  it("rejects an odd number of bytes", () => {
    expect(() => decodeEcgSamples(new Uint8Array(3))).toThrow();
  });
});
