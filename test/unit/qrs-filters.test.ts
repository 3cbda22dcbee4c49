import { describe, expect, it } from "vitest";
import { designBiquad, type TBiquad } from "@/lib/detect/qrs/design-biquad";
import { filterZeroPhase } from "@/lib/detect/qrs/filter-zero-phase";

/** |H(e^{j omega})| of one section at frequencyHz. */
function getGain(section: TBiquad, frequencyHz: number, sampleRateHz: number): number {
  const omega = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const re = (b0: number, b1: number, b2: number) => b0 + b1 * Math.cos(omega) + b2 * Math.cos(2 * omega);
  const im = (b1: number, b2: number) => -(b1 * Math.sin(omega) + b2 * Math.sin(2 * omega));
  const numerator = Math.hypot(re(section.b0, section.b1, section.b2), im(section.b1, section.b2));
  const denominator = Math.hypot(re(1, section.a1, section.a2), im(section.a1, section.a2));
  return numerator / denominator;
}

describe("designBiquad", () => {
  it.each([100, 250, 500, 1000])("puts the -3 dB point of a Butterworth section on the cutoff at %i Hz", (sampleRateHz) => {
    const lowPass = designBiquad({ kind: "lowpass", cutoffHz: 15, sampleRateHz });
    const highPass = designBiquad({ kind: "highpass", cutoffHz: 5, sampleRateHz });
    expect(getGain(lowPass, 0, sampleRateHz)).toBeCloseTo(1, 10);
    expect(getGain(lowPass, 15, sampleRateHz)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(getGain(highPass, 0, sampleRateHz)).toBeCloseTo(0, 10);
    expect(getGain(highPass, 5, sampleRateHz)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(getGain(highPass, sampleRateHz / 2, sampleRateHz)).toBeCloseTo(1, 10);
  });
});

describe("filterZeroPhase", () => {
  it("does not move a symmetric pulse and starts without a step", () => {
    const sampleRateHz = 250;
    const samples = new Float64Array(1000).fill(2);
    for (let index = 0; index < samples.length; index += 1) samples[index] = 2 + Math.exp(-(((index - 500) / 4) ** 2) / 2);
    const filtered = filterZeroPhase({
      samples,
      sections: [designBiquad({ kind: "highpass", cutoffHz: 5, sampleRateHz }), designBiquad({ kind: "lowpass", cutoffHz: 15, sampleRateHz })],
      padLength: 125,
    });
    let peak = 0;
    filtered.forEach((value, index) => {
      if (value > (filtered[peak] as number)) peak = index;
    });
    expect(peak).toBe(500);
    // The 2 mV offset is removed from the first sample on: no start-up transient.
    expect(Math.max(...Array.from(filtered.subarray(0, 300), Math.abs))).toBeLessThan(1e-6);
  });

  it("returns an empty signal for an empty one", () => {
    expect(filterZeroPhase({ samples: new Float64Array(0), sections: [], padLength: 10 })).toHaveLength(0);
  });
});
