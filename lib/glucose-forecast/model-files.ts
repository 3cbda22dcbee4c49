// Server-only (node:fs). The committed model: weights.json plus manifest.json with the weights' sha256
// and the metrics measured when they were trained. Loading checks both, so a tampered or half-written
// weights file is refused instead of forecasting nonsense.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ZModelCardSchema } from "../models/model-card";
import { assertFeatureOrder, ZForecastWeightsSchema, type TForecastWeights } from "./linear-model";

export const FORECAST_MODEL_DIR = path.resolve(import.meta.dirname, "../../public/models/glucose-forecast");
export const WEIGHTS_FILE = "weights.json";
export const MANIFEST_FILE = "manifest.json";

const ZMetricsSchema = z.strictObject({
  examples: z.number().int(),
  rmseModelMgDl: z.number(),
  rmseLastValueMgDl: z.number(),
  rmseAr2MgDl: z.number(),
  improvementOverAr2: z.number(),
});
const ZGroupMetricsSchema = z.record(z.string(), ZMetricsSchema.extend({ subjects: z.number().int() }));
const ZSplitCountsSchema = z.strictObject({ train: z.number().int(), validation: z.number().int(), test: z.number().int() });

/**
 * The model card. `metrics.heldOut` is the test subjects (real traces of people neither fitting nor
 * selection saw); `training` says what the model learned from and `card` (lib/models/model-card) what it is
 * for, its data and split, and where it may not hold.
 */
export const ZForecastManifestSchema = z.strictObject({
  model: z.literal("glucose-forecast-linear"),
  version: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  horizonMin: z.number().int(),
  files: z.strictObject({ weights: z.strictObject({ path: z.literal(WEIGHTS_FILE), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int() }) }),
  training: z.strictObject({
    data: z.literal("real"),
    method: z.string(),
    source: z.string(),
    splitRule: z.string(),
    trainPatients: z.number().int(),
    validationPatients: z.number().int(),
    heldOutPatients: z.number().int(),
    examples: ZSplitCountsSchema,
    exampleRules: z.record(z.string(), z.union([z.number(), z.string()])),
    datasets: z.array(
      z.strictObject({
        dataset: z.string(),
        subjects: ZSplitCountsSchema,
        examples: ZSplitCountsSchema,
        readingIntervals: z.record(z.string(), z.number().int()),
        diabetesTypes: z.record(z.string(), z.number().int()),
        devices: z.array(z.string()),
      }),
    ),
    selection: z.strictObject({
      ridge: z.number(),
      trainingDevices: z.enum(["all", "5-min"]),
      candidates: z.array(z.strictObject({ ridge: z.number(), trainingDevices: z.enum(["all", "5-min"]), validationRmseMgDl: z.number() })),
    }),
    eventTerms: z.string(),
  }),
  metrics: z.strictObject({ train: ZMetricsSchema, validation: ZMetricsSchema, heldOut: ZMetricsSchema, simulatedHeldOut: ZMetricsSchema }),
  heldOutBreakdown: z.strictObject({ byDataset: ZGroupMetricsSchema, byReadingInterval: ZGroupMetricsSchema, byDiabetesType: ZGroupMetricsSchema }),
  card: ZModelCardSchema,
});
export type TForecastManifest = z.infer<typeof ZForecastManifestSchema>;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Reads and verifies the committed weights (sha256 against the manifest, schema, feature order). */
export function loadForecastWeights(dir = FORECAST_MODEL_DIR): { weights: TForecastWeights; manifest: TForecastManifest } {
  const manifest = ZForecastManifestSchema.parse(JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), "utf8")));
  const raw = readFileSync(path.join(dir, manifest.files.weights.path));
  if (sha256Hex(raw) !== manifest.files.weights.sha256) throw new Error("glucose forecast weights do not match their manifest's sha256");
  const weights = ZForecastWeightsSchema.parse(JSON.parse(raw.toString("utf8")));
  if (weights.version !== manifest.version) throw new Error("glucose forecast weights and manifest name different versions");
  assertFeatureOrder(weights);
  return { weights, manifest };
}
