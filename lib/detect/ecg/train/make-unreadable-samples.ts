import { createRng } from "../../../sim/rng";
import { MODEL_DURATION_S } from "../ecg-input-spec";
import type { TEcgStripSpec, TUnreadableKind } from "./ecg-strip-spec";

/** A 30 s strip of one unreadable kind, in mV; a pure function of the spec. */
export function makeUnreadableSamples(spec: TEcgStripSpec & { unreadable: TUnreadableKind }): Float32Array {
  const rng = createRng(`ecg-train/unreadable-strip/${spec.seed}`);
  const length = MODEL_DURATION_S * spec.sampleRateHz;
  const offsetMv = rng.chance(0.25) ? (rng.chance(0.5) ? 5 : -5) : rng.uniform(-1, 1);
  const floorNoiseMv = rng.uniform(0, 0.03);
  const samples = new Float32Array(length);
  const tones: { amplitudeMv: number; frequencyHz: number; phase: number }[] = [];
  if (spec.unreadable === "mains-hum") tones.push({ amplitudeMv: rng.uniform(0.05, 1), frequencyHz: rng.pick([50, 60]), phase: rng.uniform(0, 2 * Math.PI) });
  if (spec.unreadable === "baseline-wander") {
    for (let count = rng.int(1, 3); count > 0; count -= 1) tones.push({ amplitudeMv: rng.uniform(0.2, 2), frequencyHz: rng.uniform(0.05, 2), phase: rng.uniform(0, 2 * Math.PI) });
  }
  const noiseMv = spec.unreadable === "white-noise" ? rng.uniform(0.02, 1) : floorNoiseMv;
  for (let index = 0; index < length; index += 1) {
    const t = index / spec.sampleRateHz;
    let value = offsetMv + rng.normal(0, noiseMv);
    for (const tone of tones) value += tone.amplitudeMv * Math.sin(2 * Math.PI * tone.frequencyHz * t + tone.phase);
    samples[index] = value;
  }
  return samples;
}
