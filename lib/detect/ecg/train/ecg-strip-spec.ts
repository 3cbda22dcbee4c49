// What one simulated training strip is (a pure function of its spec), and what a generator worker sends
// back for it. Both cross a thread boundary, so both have schemas.
import { z } from "zod";
import { ZEcgRhythmSchema } from "../../../sim/ecg";

// Strips no QRS can be read from that the simulator does not make: a lead off (flat, or pinned to a
// rail), broadband noise only, mains hum only, baseline wander only. Without them a flat line, which
// has no beats, looked like the slowest rhythm the model knew (bradycardia, 0.48 in a first version);
// an unreadable strip must say "noise", never a rhythm.
export const UNREADABLE_KINDS = ["lead-off", "white-noise", "mains-hum", "baseline-wander"] as const;
export type TUnreadableKind = (typeof UNREADABLE_KINDS)[number];

export const ZEcgStripSpecSchema = z.object({
  /** Row of the strip in the dataset being generated. */
  index: z.number().int().min(0),
  /** Simulator seed: the synthetic patient (morphology, lead gain, breathing, artifacts). */
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  rhythm: ZEcgRhythmSchema,
  heartRateBpm: z.number().min(0).max(300),
  noiseLevel: z.number().min(0).max(1),
  sampleRateHz: z.number().int().min(100).max(1000),
  unreadable: z.enum(UNREADABLE_KINDS).optional(),
});
export type TEcgStripSpec = z.infer<typeof ZEcgStripSpecSchema>;

export const ZGeneratedEcgStripSchema = z.object({
  index: z.number().int(),
  signal: z.instanceof(Float32Array),
  rrFeatures: z.instanceof(Float32Array),
});
