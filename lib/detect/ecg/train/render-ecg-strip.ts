import { generateEcgStrip } from "../../../sim/ecg";
import { MODEL_DURATION_S } from "../ecg-input-spec";
import { preprocessEcgStrip, type TPreprocessedEcg } from "../preprocess-ecg-strip";
import type { TEcgStripSpec } from "./ecg-strip-spec";
import { makeUnreadableSamples } from "./make-unreadable-samples";

/** One spec to the model's two inputs: simulate (or synthesise an unreadable strip), then preprocess as served. */
export function renderEcgStrip(spec: TEcgStripSpec): TPreprocessedEcg {
  const samples = spec.unreadable
    ? makeUnreadableSamples({ ...spec, unreadable: spec.unreadable })
    : generateEcgStrip({
        seed: spec.seed,
        rhythm: spec.rhythm,
        heartRateBpm: spec.heartRateBpm,
        noiseLevel: spec.noiseLevel,
        sampleRateHz: spec.sampleRateHz,
        durationS: MODEL_DURATION_S,
      }).samples;
  return preprocessEcgStrip({ samples, sampleRateHz: spec.sampleRateHz });
}
