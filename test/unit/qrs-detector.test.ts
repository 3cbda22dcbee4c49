import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { detectQrs, summarizeRhythm } from "@/lib/detect/qrs";
import { generateEcgStrip, type TEcgRhythm, type TEcgStrip } from "@/lib/sim/ecg";

// A detection matches a true beat within 150 ms, the tolerance of ANSI/AAMI EC57 beat-by-beat scoring.
const MATCH_TOLERANCE_S = 0.15;
// Beats whose R peak lies this close to either end of the strip are not scored: their QRS is cut by the
// edge (EC57 likewise leaves the record's edges out of the comparison).
const EDGE_MARGIN_S = 0.05;
const SEEDS = [1, 2, 3];
const RATES_HZ = [250, 500];
const NOISE_LEVELS = [0, 0.3];

type TScore = { truePositives: number; falseNegatives: number; falsePositives: number; errorsS: number[]; matchedTruth: Set<number> };

/** Beat-by-beat comparison: each true beat and each detection is used at most once, in time order. */
function scoreDetections(truthS: readonly number[], detectedS: readonly number[], durationS: number): TScore {
  const isScored = (timeS: number) => timeS >= EDGE_MARGIN_S && timeS <= durationS - EDGE_MARGIN_S;
  const score: TScore = { truePositives: 0, falseNegatives: 0, falsePositives: 0, errorsS: [], matchedTruth: new Set() };
  let truthIndex = 0;
  let detectedIndex = 0;
  while (truthIndex < truthS.length || detectedIndex < detectedS.length) {
    const truth = truthS[truthIndex];
    const detected = detectedS[detectedIndex];
    if (truth !== undefined && detected !== undefined && Math.abs(detected - truth) <= MATCH_TOLERANCE_S) {
      if (isScored(truth)) {
        score.truePositives += 1;
        score.errorsS.push(detected - truth);
        score.matchedTruth.add(truthIndex);
      }
      truthIndex += 1;
      detectedIndex += 1;
    } else if (detected !== undefined && (truth === undefined || detected < truth)) {
      if (isScored(detected)) score.falsePositives += 1;
      detectedIndex += 1;
    } else if (truth !== undefined) {
      if (isScored(truth)) score.falseNegatives += 1;
      truthIndex += 1;
    }
  }
  return score;
}

function getStrip(options: { seed: number; rhythm: TEcgRhythm; heartRateBpm?: number; sampleRateHz: number; noiseLevel: number }): TEcgStrip {
  return generateEcgStrip({ durationS: 30, ...options });
}

/** A flat line with Gaussian spikes (QRS stand-ins) at the given times. */
function createSpikeTrain(options: {
  sampleRateHz: number;
  durationS: number;
  spikes: readonly { timeS: number; amplitudeMv: number; widthS: number }[];
  offsetMv?: number;
}): Float32Array {
  const { sampleRateHz, durationS, spikes, offsetMv = 0 } = options;
  const samples = new Float32Array(Math.round(durationS * sampleRateHz)).fill(offsetMv);
  for (const { timeS, amplitudeMv, widthS } of spikes) {
    for (let index = 0; index < samples.length; index += 1) {
      const delta = index / sampleRateHz - timeS;
      samples[index] = (samples[index] as number) + amplitudeMv * Math.exp(-(delta * delta) / (2 * widthS * widthS));
    }
  }
  return samples;
}

const RHYTHM_CASES: { name: string; rhythm: TEcgRhythm; heartRateBpm?: number; isRegular: boolean }[] = [
  { name: "normal sinus rhythm", rhythm: "normal_sinus", isRegular: true },
  { name: "sinus tachycardia (110-170 bpm)", rhythm: "tachycardia", isRegular: true },
  { name: "sinus tachycardia at 170 bpm", rhythm: "tachycardia", heartRateBpm: 170, isRegular: true },
  { name: "sinus bradycardia (35-48 bpm)", rhythm: "bradycardia", isRegular: true },
  { name: "sinus bradycardia at 40 bpm", rhythm: "bradycardia", heartRateBpm: 40, isRegular: true },
  { name: "atrial fibrillation", rhythm: "atrial_fibrillation", isRegular: false },
  { name: "ventricular ectopy (PVCs, bigeminy)", rhythm: "ventricular_ectopy", isRegular: false },
];

describe("detectQrs on simulated strips", () => {
  it.each(RHYTHM_CASES)("finds the beats of $name, clean and noisy, at 250 and 500 Hz", ({ rhythm, heartRateBpm, isRegular }) => {
    const total = { truePositives: 0, falseNegatives: 0, falsePositives: 0 };
    const errorsS: number[] = [];
    let ectopicBeats = 0;
    let ectopicBeatsFound = 0;
    for (const sampleRateHz of RATES_HZ) {
      for (const noiseLevel of NOISE_LEVELS) {
        for (const seed of SEEDS) {
          const strip = getStrip({ seed, rhythm, heartRateBpm, sampleRateHz, noiseLevel });
          const detection = detectQrs({ samples: strip.samples, sampleRateHz });
          const durationS = strip.samples.length / sampleRateHz;
          const score = scoreDetections(strip.beatTimesS, detection.beatTimesS, durationS);
          total.truePositives += score.truePositives;
          total.falseNegatives += score.falseNegatives;
          total.falsePositives += score.falsePositives;
          errorsS.push(...score.errorsS);

          expect(detection.quality.usable, `seed ${seed}, ${sampleRateHz} Hz, noise ${noiseLevel}`).toBe(true);
          if (isRegular) expect(Math.abs((detection.heartRateBpm as number) - strip.heartRateBpm)).toBeLessThanOrEqual(3);
          strip.beatKinds.forEach((kind, index) => {
            const timeS = strip.beatTimesS[index] as number;
            if (kind !== "V" || timeS < EDGE_MARGIN_S || timeS > durationS - EDGE_MARGIN_S) return;
            ectopicBeats += 1;
            if (score.matchedTruth.has(index)) ectopicBeatsFound += 1;
          });
        }
      }
    }
    const sensitivity = total.truePositives / (total.truePositives + total.falseNegatives);
    const positivePredictiveValue = total.truePositives / (total.truePositives + total.falsePositives);
    expect(sensitivity).toBeGreaterThanOrEqual(0.99);
    expect(positivePredictiveValue).toBeGreaterThanOrEqual(0.99);
    // R peaks land on the true R peak, not where a filter delay would put them.
    const absoluteErrorsS = errorsS.map(Math.abs);
    expect(absoluteErrorsS.reduce((sum, error) => sum + error, 0) / absoluteErrorsS.length).toBeLessThan(0.004);
    expect(Math.max(...absoluteErrorsS)).toBeLessThan(0.025);
    if (rhythm === "ventricular_ectopy") {
      expect(ectopicBeats).toBeGreaterThan(0);
      expect(ectopicBeatsFound).toBe(ectopicBeats);
    }
  });

  it("works at the ends of the supported rate range (100 and 1000 Hz)", () => {
    for (const sampleRateHz of [100, 1000]) {
      for (const rhythm of ["normal_sinus", "atrial_fibrillation"] as const) {
        const strip = getStrip({ seed: 7, rhythm, sampleRateHz, noiseLevel: 0.3 });
        const detection = detectQrs({ samples: strip.samples, sampleRateHz });
        const score = scoreDetections(strip.beatTimesS, detection.beatTimesS, 30);
        expect(score.falseNegatives + score.falsePositives, `${rhythm} at ${sampleRateHz} Hz`).toBe(0);
        expect(detection.quality.usable).toBe(true);
      }
    }
  });

  it("shows atrial fibrillation's RR irregularity well above sinus rhythm's", () => {
    const getCv = (rhythm: TEcgRhythm, seed: number) => {
      const strip = getStrip({ seed, rhythm, sampleRateHz: 250, noiseLevel: 0.3 });
      return summarizeRhythm({ rrIntervalsS: detectQrs({ samples: strip.samples, sampleRateHz: 250 }).rrIntervalsS }).rrCoefficientOfVariation as number;
    };
    const sinus = [1, 2, 3, 4].map((seed) => getCv("normal_sinus", seed));
    const fibrillation = [1, 2, 3, 4].map((seed) => getCv("atrial_fibrillation", seed));
    expect(Math.max(...sinus)).toBeLessThan(0.1);
    expect(Math.min(...fibrillation)).toBeGreaterThan(0.15);
    expect(Math.min(...fibrillation)).toBeGreaterThan(2 * Math.max(...sinus));
  });

  it("marks strips of motion artifact unusable", () => {
    for (const sampleRateHz of RATES_HZ) {
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const strip = getStrip({ seed, rhythm: "noise", sampleRateHz, noiseLevel: 0.3 });
        const { quality } = detectQrs({ samples: strip.samples, sampleRateHz });
        expect(quality.usable, `seed ${seed} at ${sampleRateHz} Hz (SNR ${quality.signalToNoise})`).toBe(false);
      }
    }
  });

  it("does not depend on the lead's polarity or gain", () => {
    const strip = getStrip({ seed: 4, rhythm: "ventricular_ectopy", sampleRateHz: 250, noiseLevel: 0.3 });
    const reference = detectQrs({ samples: strip.samples, sampleRateHz: 250 });
    const inverted = detectQrs({ samples: strip.samples.map((value) => -value), sampleRateHz: 250 });
    const attenuated = detectQrs({ samples: strip.samples.map((value) => value * 0.1), sampleRateHz: 250 });
    expect(inverted.beatIndexes).toEqual(reference.beatIndexes);
    expect(attenuated.beatIndexes).toEqual(reference.beatIndexes);
  });

  it("takes a plain array as well as a Float32Array", () => {
    const strip = getStrip({ seed: 5, rhythm: "normal_sinus", sampleRateHz: 250, noiseLevel: 0.2 });
    const fromTyped = detectQrs({ samples: strip.samples, sampleRateHz: 250 });
    const fromArray = detectQrs({ samples: Array.from(strip.samples), sampleRateHz: 250 });
    expect(fromArray).toEqual(fromTyped);
  });

  it("bridges a gap of missing samples without inventing beats", () => {
    const strip = getStrip({ seed: 6, rhythm: "normal_sinus", sampleRateHz: 250, noiseLevel: 0.2 });
    const samples = strip.samples.slice();
    samples.fill(Number.NaN, 2500, 2550);
    const detection = detectQrs({ samples, sampleRateHz: 250 });
    const score = scoreDetections(strip.beatTimesS, detection.beatTimesS, 30);
    expect(detection.beatTimesS.every(Number.isFinite)).toBe(true);
    expect(score.falsePositives).toBe(0);
    expect(score.falseNegatives).toBeLessThanOrEqual(1);
  });
});

describe("detectQrs on hand-built signals", () => {
  it("places Gaussian spikes at their times, between samples too", () => {
    for (const sampleRateHz of [100, 250, 1000]) {
      const timesS = Array.from({ length: 12 }, (_, index) => 0.5013 + 0.8 * index);
      const samples = createSpikeTrain({
        sampleRateHz,
        durationS: 10,
        spikes: timesS.map((timeS) => ({ timeS, amplitudeMv: 1, widthS: 0.012 })),
        offsetMv: -0.3,
      });
      const detection = detectQrs({ samples, sampleRateHz });
      expect(detection.beatTimesS).toHaveLength(timesS.length);
      detection.beatTimesS.forEach((timeS, index) => expect(Math.abs(timeS - (timesS[index] as number))).toBeLessThan(0.001));
      expect(detection.beatIndexes).toEqual(timesS.map((timeS) => Math.round(timeS * sampleRateHz)));
      detection.rrIntervalsS.forEach((rrS) => expect(rrS).toBeCloseTo(0.8, 3));
      expect(detection.heartRateBpm).toBeCloseTo(75, 1);
      expect(detection.quality.usable).toBe(true);
      expect(detection.quality.signalToNoise).toBeGreaterThan(100);
    }
  });

  it("finds a small beat by searchback", () => {
    const sampleRateHz = 250;
    const timesS = Array.from({ length: 12 }, (_, index) => 0.6 + 0.8 * index);
    // The seventh beat is 40 % of the others' height: its integrated peak (16 %) is under THRESHOLD I1
    // and over THRESHOLD I2, so it is found only when the 1.6 s gap exceeds RR MISSED LIMIT.
    const spikes = timesS.map((timeS, index) => ({ timeS, amplitudeMv: index === 6 ? 0.4 : 1, widthS: 0.01 }));
    const detection = detectQrs({ samples: createSpikeTrain({ sampleRateHz, durationS: 10, spikes }), sampleRateHz });
    expect(detection.beatTimesS).toHaveLength(timesS.length);
    detection.beatTimesS.forEach((timeS, index) => expect(Math.abs(timeS - (timesS[index] as number))).toBeLessThan(0.004));
  });

  it("rejects a tall T wave by its slope", () => {
    const sampleRateHz = 250;
    const timesS = Array.from({ length: 12 }, (_, index) => 0.6 + 0.8 * index);
    const spikes = timesS.flatMap((timeS) => [
      { timeS, amplitudeMv: 0.5, widthS: 0.01 },
      // A T wave twice the QRS's height 280 ms after it: its integrated peak clears the threshold, but
      // its slope is ~40 % of the QRS's (without the slope rule every one of them is counted as a beat).
      { timeS: timeS + 0.28, amplitudeMv: 1, widthS: 0.05 },
    ]);
    const detection = detectQrs({ samples: createSpikeTrain({ sampleRateHz, durationS: 10, spikes }), sampleRateHz });
    expect(detection.beatTimesS).toHaveLength(timesS.length);
    detection.beatTimesS.forEach((timeS, index) => expect(Math.abs(timeS - (timesS[index] as number))).toBeLessThan(0.004));
  });

  it("finds no beat in a flat, constant or empty signal", () => {
    const signals = [new Float32Array(7500), new Float32Array(7500).fill(1.5), new Float32Array(0), []];
    for (const samples of signals) {
      const detection = detectQrs({ samples, sampleRateHz: 250 });
      expect(detection).toEqual({ beatTimesS: [], beatIndexes: [], rrIntervalsS: [], heartRateBpm: null, quality: { usable: false } });
    }
  });

  it("gives no rate for a single beat", () => {
    const samples = createSpikeTrain({ sampleRateHz: 250, durationS: 5, spikes: [{ timeS: 2.5, amplitudeMv: 1, widthS: 0.01 }] });
    const detection = detectQrs({ samples, sampleRateHz: 250 });
    expect(detection.beatIndexes).toEqual([625]);
    expect(detection.rrIntervalsS).toEqual([]);
    expect(detection.heartRateBpm).toBeNull();
    expect(detection.quality.usable).toBe(false);
  });

  it("rejects sample rates outside 100-1000 Hz", () => {
    expect(() => detectQrs({ samples: new Float32Array(100), sampleRateHz: 50 })).toThrow(ZodError);
    expect(() => detectQrs({ samples: new Float32Array(100), sampleRateHz: 2000 })).toThrow(ZodError);
  });
});
