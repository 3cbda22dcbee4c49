import { ECG_RHYTHM_HEART_RATE_RANGES_BPM, ECG_RHYTHMS, type TEcgRhythm } from "../../../sim/ecg";
import { createRng } from "../../../sim/rng";
import { UNREADABLE_KINDS, type TEcgStripSpec } from "./ecg-strip-spec";

export type TMakeStripSpecsOptions = {
  /** Strips of every rhythm, or a count per rhythm (a hospital's prevalence). */
  perClass: number | Record<TEcgRhythm, number>;
  /** Simulator seeds are seedBase, seedBase + 1, ... in rhythm order. */
  seedBase: number;
  label: string;
  noiseLevels: readonly number[];
  sampleRatesHz: readonly number[];
  /** Share of the noise strips that are unreadable (see UNREADABLE_KINDS). */
  unreadableShare: number;
  /** Part of each rhythm's ECG_RHYTHM_HEART_RATE_RANGES_BPM drawn from, as fractions (default the whole range). */
  heartRateWindow?: { from: number; to: number };
  /** Label of the seeded generator of rates, noise levels and sample rates (default `ecg-train/{label}/{seedBase}`). */
  rngLabel?: string;
};

/** Strip specs for one set: the strips of every rhythm, rates spread evenly over the rhythm's range (or window of it). */
export function makeStripSpecs(options: TMakeStripSpecsOptions): TEcgStripSpec[] {
  const { seedBase, label, noiseLevels, sampleRatesHz, unreadableShare } = options;
  const window = options.heartRateWindow ?? { from: 0, to: 1 };
  const unreadableEvery = unreadableShare > 0 ? Math.round(1 / unreadableShare) : 0;
  const rng = createRng(options.rngLabel ?? `ecg-train/${label}/${seedBase}`);
  const specs: TEcgStripSpec[] = [];
  let seedOffset = 0;
  for (const rhythm of ECG_RHYTHMS) {
    const count = typeof options.perClass === "number" ? options.perClass : options.perClass[rhythm];
    const range = ECG_RHYTHM_HEART_RATE_RANGES_BPM[rhythm];
    const minBpm = range.minBpm + window.from * (range.maxBpm - range.minBpm);
    const maxBpm = range.minBpm + window.to * (range.maxBpm - range.minBpm);
    for (let index = 0; index < count; index += 1) {
      // Stratified over the range (one draw per equal slice) so every part of it is represented.
      const share = (index + rng.next()) / count;
      specs.push({
        index: specs.length,
        seed: seedBase + seedOffset + index,
        rhythm,
        heartRateBpm: Math.round((minBpm + share * (maxBpm - minBpm)) * 10) / 10,
        noiseLevel: rng.pick(noiseLevels),
        sampleRateHz: rng.pick(sampleRatesHz),
        // Every (1 / share)-th noise strip, so the rest still spread over the whole rate range.
        unreadable: rhythm === "noise" && unreadableEvery > 0 && index % unreadableEvery === 0 ? UNREADABLE_KINDS[(index / unreadableEvery) % UNREADABLE_KINDS.length] : undefined,
      });
    }
    seedOffset += count;
  }
  return specs;
}
