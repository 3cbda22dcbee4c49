import { describe, expect, it } from "vitest";
import { MODEL_INPUT_LENGTH, MODEL_SAMPLE_RATE_HZ, parseEcgInput } from "@/lib/detect/ecg";
import { NORMALIZED_CLIP, RR_FEATURE_COUNT, RR_FEATURE_NAMES } from "@/lib/detect/ecg/ecg-input-spec";
import { extractRrFeatures } from "@/lib/detect/ecg/extract-rr-features";
import { normalizeEcg } from "@/lib/detect/ecg/normalize-ecg";
import { preprocessEcgStrip } from "@/lib/detect/ecg/preprocess-ecg-strip";
import { resampleEcg } from "@/lib/detect/ecg/resample-ecg";
import { AppError } from "@/lib/errors";
import { generateEcgStrip } from "@/lib/sim/ecg";

function sine(options: { frequencyHz: number; sampleRateHz: number; durationS: number; amplitude?: number }): Float32Array {
  const { frequencyHz, sampleRateHz, durationS, amplitude = 1 } = options;
  return Float32Array.from({ length: Math.round(durationS * sampleRateHz) }, (_, index) => amplitude * Math.sin((2 * Math.PI * frequencyHz * index) / sampleRateHz));
}

/** Largest deviation from the ideal sine at the output times, away from the edges (filter run-in). */
function maxSineError(output: Float32Array, frequencyHz: number, sampleRateHz: number, edge = 20): number {
  let worst = 0;
  for (let index = edge; index < output.length - edge; index += 1) {
    worst = Math.max(worst, Math.abs((output[index] as number) - Math.sin((2 * Math.PI * frequencyHz * index) / sampleRateHz)));
  }
  return worst;
}

describe("resampleEcg", () => {
  it("halves 250 Hz to 125 Hz, keeping a 5 Hz sine", () => {
    const output = resampleEcg({ samples: sine({ frequencyHz: 5, sampleRateHz: 250, durationS: 30 }), fromHz: 250, toHz: 125 });
    expect(output).toHaveLength(3750);
    expect(maxSineError(output, 5, 125)).toBeLessThan(0.01);
  });

  it("converts non-integer ratios down (360 Hz) and up (100 Hz)", () => {
    const down = resampleEcg({ samples: sine({ frequencyHz: 8, sampleRateHz: 360, durationS: 10 }), fromHz: 360, toHz: 125 });
    expect(down).toHaveLength(1250);
    expect(maxSineError(down, 8, 125)).toBeLessThan(0.03);
    const up = resampleEcg({ samples: sine({ frequencyHz: 3, sampleRateHz: 100, durationS: 10 }), fromHz: 100, toHz: 125 });
    expect(up).toHaveLength(1250);
    expect(maxSineError(up, 3, 125)).toBeLessThan(0.01);
  });

  it("removes content above the new Nyquist frequency instead of aliasing it", () => {
    // 100 Hz at 250 Hz would alias to 25 Hz at 125 Hz.
    const output = resampleEcg({ samples: sine({ frequencyHz: 100, sampleRateHz: 250, durationS: 10 }), fromHz: 250, toHz: 125 });
    const interior = output.subarray(20, output.length - 20);
    expect(Math.max(...interior.map(Math.abs))).toBeLessThan(0.02);
  });

  it("keeps the millivolt scale and baseline (unit DC gain)", () => {
    const output = resampleEcg({ samples: new Float32Array(2500).fill(0.7), fromHz: 250, toHz: 125 });
    for (const value of output) expect(value).toBeCloseTo(0.7, 5);
  });

  it("returns a copy at the same rate", () => {
    const input = sine({ frequencyHz: 1, sampleRateHz: 125, durationS: 1 });
    const output = resampleEcg({ samples: input, fromHz: 125, toHz: 125 });
    expect(output).toEqual(input);
    expect(output).not.toBe(input);
  });
});

describe("normalizeEcg", () => {
  it("centres on the median and scales by the 99th percentile of the absolute deviation", () => {
    const samples = sine({ frequencyHz: 1, sampleRateHz: 125, durationS: 30, amplitude: 2 }).map((value) => value + 3);
    const { normalized, medianMv, amplitudeMv } = normalizeEcg(samples);
    expect(medianMv).toBeCloseTo(3, 2);
    expect(amplitudeMv).toBeCloseTo(2, 1);
    const sorted = Float32Array.from(normalized).sort();
    expect(sorted[Math.round(0.5 * (sorted.length - 1))]).toBeCloseTo(0, 2);
    expect(Math.max(...normalized)).toBeCloseTo(1, 1);
  });

  it("is not set by a short saturation, and clips it", () => {
    const samples = sine({ frequencyHz: 1, sampleRateHz: 125, durationS: 30 });
    samples.fill(5, 100, 120); // 160 ms at the rail: 0.5 % of the strip
    const { normalized, amplitudeMv } = normalizeEcg(samples);
    expect(amplitudeMv).toBeLessThan(1.1);
    expect(Math.max(...normalized)).toBeLessThanOrEqual(NORMALIZED_CLIP);
  });

  it("does not blow a flat strip up to full scale", () => {
    const samples = Float32Array.from({ length: 3750 }, (_, index) => (index % 2 === 0 ? 0.001 : -0.001));
    const { normalized, amplitudeMv } = normalizeEcg(samples);
    expect(amplitudeMv).toBe(0.05);
    expect(Math.max(...normalized.map(Math.abs))).toBeLessThan(0.05);
  });
});

describe("preprocessEcgStrip", () => {
  it("gives the model's two inputs for a 250 Hz, 30 s strip", () => {
    const strip = generateEcgStrip({ seed: "ecg-pre-1", rhythm: "normal_sinus", heartRateBpm: 75 });
    const { signal, rrFeatures } = preprocessEcgStrip({ samples: strip.samples, sampleRateHz: strip.sampleRateHz });
    expect(signal).toHaveLength(MODEL_INPUT_LENGTH);
    expect(rrFeatures).toHaveLength(RR_FEATURE_COUNT);
    expect(signal.every(Number.isFinite)).toBe(true);
    expect(rrFeatures.every(Number.isFinite)).toBe(true);
  });

  it("zero-pads a short strip after its end and cuts a long one to its last 30 s", () => {
    const short = generateEcgStrip({ seed: "ecg-pre-2", rhythm: "normal_sinus", durationS: 15 });
    const padded = preprocessEcgStrip({ samples: short.samples, sampleRateHz: short.sampleRateHz }).signal;
    expect(padded).toHaveLength(MODEL_INPUT_LENGTH);
    expect(padded.subarray(15 * MODEL_SAMPLE_RATE_HZ).every((value) => value === 0)).toBe(true);
    expect(padded.subarray(0, 15 * MODEL_SAMPLE_RATE_HZ).some((value) => value !== 0)).toBe(true);

    const long = generateEcgStrip({ seed: "ecg-pre-3", rhythm: "normal_sinus", durationS: 60 });
    const cut = preprocessEcgStrip({ samples: long.samples, sampleRateHz: long.sampleRateHz }).signal;
    const lastHalf = preprocessEcgStrip({ samples: long.samples.subarray(30 * 250), sampleRateHz: 250 }).signal;
    expect(cut).toHaveLength(MODEL_INPUT_LENGTH);
    // Same window; only the anti-alias filter's first few samples see different neighbours.
    let differing = 0;
    cut.forEach((value, index) => (differing += Math.abs(value - (lastHalf[index] as number)) > 1e-3 ? 1 : 0));
    expect(differing).toBeLessThan(20);
  });
});

describe("extractRrFeatures", () => {
  const feature = (features: Float32Array, name: (typeof RR_FEATURE_NAMES)[number]) => features[RR_FEATURE_NAMES.indexOf(name)] as number;
  const featuresOf = (rhythm: "normal_sinus" | "atrial_fibrillation" | "bradycardia", heartRateBpm: number) => {
    const strip = generateEcgStrip({ seed: `ecg-rr-${rhythm}`, rhythm, heartRateBpm, noiseLevel: 0.1 });
    const samples = resampleEcg({ samples: strip.samples, fromHz: strip.sampleRateHz, toHz: MODEL_SAMPLE_RATE_HZ });
    return extractRrFeatures({ samples, sampleRateHz: MODEL_SAMPLE_RATE_HZ });
  };

  it("carries the rate (bpm / 100) and irregularity of the strip", () => {
    const sinus = featuresOf("normal_sinus", 75);
    const brady = featuresOf("bradycardia", 42);
    const af = featuresOf("atrial_fibrillation", 120);
    expect(feature(sinus, "medianHeartRate")).toBeCloseTo(0.75, 1);
    expect(feature(brady, "medianHeartRate")).toBeCloseTo(0.42, 1);
    expect(feature(af, "rrCoefficientOfVariation")).toBeGreaterThan(3 * feature(sinus, "rrCoefficientOfVariation"));
    expect(feature(sinus, "isUsable")).toBe(1);
  });
});

describe("parseEcgInput", () => {
  const valid = { samples: new Float32Array(7500), sampleRateHz: 250 };
  const expectRefused = (input: unknown) => {
    try {
      parseEcgInput(input);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("VALIDATION_FAILED");
      return;
    }
    throw new Error("accepted invalid input");
  };

  it("accepts a 30 s strip", () => {
    expect(parseEcgInput(valid).samples).toHaveLength(7500);
  });

  it("refuses wrong types, non-finite samples, empty, too short and absurdly long strips, bad rates", () => {
    expectRefused(null);
    expectRefused({ ...valid, samples: Array.from(valid.samples) });
    expectRefused({ ...valid, sampleRateHz: "250" });
    expectRefused({ ...valid, sampleRateHz: 20 });
    expectRefused({ ...valid, samples: new Float32Array(0) });
    expectRefused({ ...valid, samples: new Float32Array(250) });
    expectRefused({ ...valid, samples: new Float32Array(5_000_000) });
    const withNaN = new Float32Array(7500);
    withNaN[100] = Number.NaN;
    expectRefused({ ...valid, samples: withNaN });
    const withInfinity = new Float32Array(7500);
    withInfinity[5] = Number.POSITIVE_INFINITY;
    expectRefused({ ...valid, samples: withInfinity });
  });
});
