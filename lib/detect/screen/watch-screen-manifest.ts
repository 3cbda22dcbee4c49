import { z } from "zod";
import { ZModelCardSchema } from "../../models/model-card";

export const WATCH_SCREEN_WEIGHTS_FILE = "weights.json";
export const WATCH_SCREEN_MANIFEST_FILE = "manifest.json";

/** What public/models/watch-screen/manifest.json says about weights.json; validated on every load. */
export const ZWatchScreenManifestSchema = z.strictObject({
  name: z.literal("watch-screen"),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  createdAt: z.string(),
  file: z.literal(WATCH_SCREEN_WEIGHTS_FILE),
  sizeBytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  features: z.array(z.string()).min(1),
  classes: z.array(z.string()).min(2),
  thresholds: z.strictObject({
    /** Tier-1 score at which the cascade counts a hit (high recall: tier 2 filters). */
    escalate: z.number().min(0).max(1),
    /** Score for watch-only alerting (no ECG to confirm), chosen on the validation patients. */
    alert: z.number().min(0).max(1),
    /** Leaky-counter hits before acting on either threshold. */
    persistenceHits: z.number().int().min(1),
  }),
  training: z.record(z.string(), z.union([z.number(), z.string()])),
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  /**
   * Model card for real recordings: what the screen scored on real heart rate (npm run eval:screen), on
   * which data and split, and the known limits of that evidence. Optional: a screen trained and
   * evaluated on simulation alone has none.
   */
  realData: z
    .strictObject({
      dataset: z.string(),
      split: z.string(),
      stream: z.string(),
      metrics: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
      limits: z.array(z.string()),
    })
    .optional(),
  card: ZModelCardSchema.optional(),
  deviceFit: z.strictObject({
    runtime: z.string(),
    parameters: z.number().int().positive(),
    weightsBytes: z.number().int().positive(),
    multiplyAddsPerSample: z.number().int().positive(),
    stateBytes: z.number().int().positive(),
    microsPerSampleMeasured: z.number().positive(),
    measuredOn: z.string(),
  }),
});
export type TWatchScreenManifest = z.infer<typeof ZWatchScreenManifestSchema>;
