import { MODEL_INPUT_LENGTH, MODEL_SAMPLE_RATE_HZ } from "./ecg-input-spec";
import { extractRhythm } from "./extract-rr-features";
import { normalizeEcg } from "./normalize-ecg";
import { resampleEcg } from "./resample-ecg";

export type TPreprocessedEcg = {
  /** MODEL_INPUT_LENGTH normalised samples at MODEL_SAMPLE_RATE_HZ. */
  signal: Float32Array;
  /** RR_FEATURE_NAMES in order. */
  rrFeatures: Float32Array;
  /** The median rate the QRS detector found in the window; null with fewer than two beats. */
  heartRateBpm: number | null;
};

/**
 * A validated strip (parseEcgInput) to the two model inputs: resampled to 125 Hz, cut to its last 30 s or
 * zero-padded after its end, normalised; RR features from the same 125 Hz window.
 */
export function preprocessEcgStrip(input: { samples: Float32Array; sampleRateHz: number }): TPreprocessedEcg {
  const resampled = resampleEcg({ samples: input.samples, fromHz: input.sampleRateHz, toHz: MODEL_SAMPLE_RATE_HZ });
  const window = resampled.length > MODEL_INPUT_LENGTH ? resampled.subarray(resampled.length - MODEL_INPUT_LENGTH) : resampled;
  const { features: rrFeatures, heartRateBpm } = extractRhythm({ samples: window, sampleRateHz: MODEL_SAMPLE_RATE_HZ });
  const { normalized } = normalizeEcg(window);
  const signal = new Float32Array(MODEL_INPUT_LENGTH);
  signal.set(normalized);
  return { signal, rrFeatures, heartRateBpm };
}
