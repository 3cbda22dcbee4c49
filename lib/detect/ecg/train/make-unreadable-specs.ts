import { createRng } from "../../../sim/rng";
import { UNREADABLE_KINDS, type TEcgStripSpec } from "./ecg-strip-spec";

/** perKind strips of every unreadable kind, labelled "noise", seeds from seedBase. */
export function makeUnreadableSpecs(options: { perKind: number; seedBase: number; sampleRatesHz: readonly number[] }): TEcgStripSpec[] {
  const rng = createRng(`ecg-train/unreadable/${options.seedBase}`);
  return UNREADABLE_KINDS.flatMap((kind, kindIndex) =>
    Array.from({ length: options.perKind }, (_, index) => ({
      index: kindIndex * options.perKind + index,
      seed: options.seedBase + kindIndex * options.perKind + index,
      rhythm: "noise" as const,
      heartRateBpm: 0,
      noiseLevel: 0,
      sampleRateHz: rng.pick(options.sampleRatesHz),
      unreadable: kind,
    })),
  );
}
