import { z } from "zod";
import { ZModelCardSchema } from "../../models/model-card";
import { ZEcgClassSchema } from "./ecg-classes";

const ZClassMetricsSchema = z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number().int() });

/** public/models/ecg-cnn/manifest.json: what the artifact is, what it expects and how well it did. */
export const ZEcgModelManifestSchema = z.object({
  name: z.literal("ecg-cnn"),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  classes: z.array(ZEcgClassSchema).min(2),
  input: z.object({
    sampleRateHz: z.number().positive(),
    durationS: z.number().positive(),
    length: z.number().int().positive(),
    units: z.literal("mV"),
    acceptedSampleRateHz: z.object({ min: z.number(), max: z.number() }),
    acceptedDurationS: z.object({ min: z.number(), max: z.number() }),
    preprocessing: z.array(z.string()),
    rrFeatures: z.array(z.string()),
  }),
  architecture: z.object({ description: z.string(), stages: z.array(z.tuple([z.number().int(), z.number().int()])) }),
  parameterCount: z.number().int().positive(),
  /** weights.bin: its size and SHA-256 (hex), checked on every load. */
  sizeBytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** model.json (topology) is checked as well: a swapped topology could reinterpret honest weights. */
  modelJsonSha256: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.object({ model: z.literal("model.json"), weights: z.literal("weights.bin") }),
  metrics: z.object({
    // Versions published by federated rounds have no server-side held-out figures (the server holds no
    // strips): they carry the hospitals' validation, summed inside the secure aggregate, as `federated`.
    heldOut: z.object({
      strips: z.number().int().positive(),
      accuracy: z.number(),
      macroF1: z.number(),
      perClass: z.record(ZEcgClassSchema, ZClassMetricsSchema),
      /** Rows: true class, columns: predicted class, both in `classes` order. */
      confusionMatrix: z.array(z.array(z.number().int())),
    }).optional(),
    federated: z
      .object({
        roundId: z.string(),
        baseVersion: z.number().int(),
        validation: z.object({ strips: z.number().int(), accuracy: z.number(), macroF1: z.number() }),
        survivors: z.number().int(),
        dropped: z.number().int(),
      })
      .loose()
      .optional(),
    /**
     * Figures on the real test split (records that training and model selection never touched): the
     * keys of `npm run eval:ecg`'s RESULT, plus per-class figures over the CinC labels.
     */
    real: z
      .looseObject({
        split: z.string(),
        records: z.number().int(),
        afSensitivity: z.number(),
        afSpecificity: z.number(),
        afF1: z.number(),
        normalF1: z.number(),
        otherF1: z.number(),
        challengeF1: z.number(),
        noiseRecall: z.number(),
        veSensitivity: z.number(),
        veWindows: z.number().int(),
      })
      .optional(),
    /** Synthetic unreadable strips (lead off, noise, hum, wander): the share the model calls "noise". */
    unreadable: z.object({ strips: z.number().int(), noiseRecall: z.number(), noiseRecallByKind: z.record(z.string(), z.number()) }).optional(),
  }),
  training: z.looseObject({
    seed: z.number().int(),
    backend: z.string(),
    epochs: z.number().int(),
    batchSize: z.number().int(),
    learningRate: z.number(),
    wallS: z.number(),
    data: z.record(z.string(), z.unknown()),
  }),
  /**
   * Added to each class's log-probability before the argmax (chosen on the validation split to trade AF
   * sensitivity against specificity); absent: plain argmax.
   */
  decisionOffsets: z.partialRecord(ZEcgClassSchema, z.number().min(-10).max(10)).optional(),
  /** The model card: what it was trained on, how it was split, and what it should not be trusted for. */
  card: ZModelCardSchema.optional(),
  deviceFit: z.object({ runtime: z.literal("tfjs-wasm"), threads: z.number().int(), minMemoryMb: z.number().positive() }),
});
export type TEcgModelManifest = z.infer<typeof ZEcgModelManifestSchema>;
