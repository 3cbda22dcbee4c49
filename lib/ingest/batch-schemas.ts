import { z } from "zod";

// 0 marks "no reading" (the sensor lost contact): gaps are kept as gaps, never interpolated.
export const BPM_GAP = 0;
// Plausible human heart rates at the wrist. Below 25 or above 250 a reading is a sensor fault, not
// physiology (the slowest escape rhythms run ~20-40 bpm; the fastest SVTs ~250).
export const MIN_PLAUSIBLE_BPM = 25;
export const MAX_PLAUSIBLE_BPM = 250;
// An hour at 1 Hz: a watch draining its offline buffer sends large batches, nothing legitimate sends more.
export const MAX_SAMPLES_PER_BATCH = 3_600;
// Accelerometer activity counts per sample (vendor-neutral units, 0 at rest, ~1000 sprinting).
export const MAX_ACTIVITY_COUNT = 10_000;

const isPlausibleBpm = (value: number) => value === BPM_GAP || (value >= MIN_PLAUSIBLE_BPM && value <= MAX_PLAUSIBLE_BPM);
const isActivity = (value: number) => value >= 0 && value <= MAX_ACTIVITY_COUNT;

/**
 * An array of integer samples checked in one loop. A per-element `z.number().int().refine(...)` cost
 * ~100 µs per 60-sample batch, the largest CPU item per batch in the ingest path (bench:ingest
 * profile); this does the same checks and reports the same paths (`bpm.3`) at a fraction of that.
 */
function sampleArray(options: { isValid: (value: number) => boolean; message: string }) {
  return z
    .array(z.unknown())
    .max(MAX_SAMPLES_PER_BATCH)
    .superRefine((values, ctx) => {
      for (let index = 0; index < values.length; index += 1) {
        const value = values[index];
        if (typeof value !== "number" || !Number.isInteger(value)) {
          ctx.addIssue({ code: "custom", path: [index], message: "expected an integer", input: value });
        } else if (!options.isValid(value)) {
          ctx.addIssue({ code: "custom", path: [index], message: options.message, input: value });
        }
      }
    }) as unknown as z.ZodArray<z.ZodNumber>;
}

const MAX_SEQ = 2_147_483_647;
const MIN_INTERVAL_MS = 250;
const MAX_INTERVAL_MS = 60_000;
const ZTimestamp = z.iso.datetime({ offset: true });

export const ZHeartRateBatchSchema = z
  .strictObject({
    seq: z.number().int().min(0).max(MAX_SEQ),
    startedAt: ZTimestamp,
    intervalMs: z.number().int().min(MIN_INTERVAL_MS).max(MAX_INTERVAL_MS),
    bpm: sampleArray({
      isValid: isPlausibleBpm,
      message: `must be ${BPM_GAP} (no reading) or between ${MIN_PLAUSIBLE_BPM} and ${MAX_PLAUSIBLE_BPM} bpm`,
    }).min(1),
    activity: sampleArray({ isValid: isActivity, message: `must be between 0 and ${MAX_ACTIVITY_COUNT}` }).optional(),
  })
  .refine((batch) => batch.activity === undefined || batch.activity.length === batch.bpm.length, {
    path: ["activity"],
    message: "must have one value per bpm sample",
  });
export type THeartRateBatch = z.infer<typeof ZHeartRateBatchSchema>;

// An upload of several batches at once: a watch draining its offline buffer sends an hour of 10-second
// batches in one request instead of 360 round trips. Each batch keeps its own seq, so each is stored
// exactly once and answered on its own; the total is held to one full batch's samples, so an upload
// costs the server no more memory than the largest single batch.
export const MAX_BATCHES_PER_UPLOAD = 360;

export const ZHeartRateUploadSchema = z
  .strictObject({ batches: z.array(ZHeartRateBatchSchema).min(1).max(MAX_BATCHES_PER_UPLOAD) })
  .superRefine(({ batches }, ctx) => {
    const firstIndexBySeq = new Map<number, number>();
    let samples = 0;
    batches.forEach((batch, index) => {
      samples += batch.bpm.length;
      const first = firstIndexBySeq.get(batch.seq);
      if (first === undefined) firstIndexBySeq.set(batch.seq, index);
      else ctx.addIssue({ code: "custom", path: ["batches", index, "seq"], message: `repeats the seq of batches.${first}`, input: batch.seq });
    });
    if (samples > MAX_SAMPLES_PER_BATCH) {
      ctx.addIssue({ code: "custom", path: ["batches"], message: `at most ${MAX_SAMPLES_PER_BATCH} samples in all per upload (got ${samples})`, input: samples });
    }
  });
export type THeartRateUpload = z.infer<typeof ZHeartRateUploadSchema>;

// Glucose sensors report 40-400 mg/dL (values outside are shown as LO/HI by CGMs, not as numbers).
export const MIN_GLUCOSE_MG_DL = 40;
export const MAX_GLUCOSE_MG_DL = 400;
// A day of 5-minute readings: the most a CGM buffers before it must have synced.
export const MAX_GLUCOSE_READINGS_PER_BATCH = 288;

export const ZGlucoseBatchSchema = z.strictObject({
  seq: z.number().int().min(0).max(2_147_483_647),
  readings: z
    .array(
      z.strictObject({
        measuredAt: z.iso.datetime({ offset: true }),
        glucoseMgDl: z.number().int().min(MIN_GLUCOSE_MG_DL).max(MAX_GLUCOSE_MG_DL),
      }),
    )
    .min(1)
    .max(MAX_GLUCOSE_READINGS_PER_BATCH)
    .refine((readings) => new Set(readings.map((reading) => Date.parse(reading.measuredAt))).size === readings.length, {
      message: "each reading needs its own measuredAt",
    }),
});
export type TGlucoseBatch = z.infer<typeof ZGlucoseBatchSchema>;

// A full batch (3,600 samples of bpm and activity) is about 40 KB of JSON; 256 KB leaves room for
// whitespace without letting a client make the server buffer megabytes.
export const DEVICE_BATCH_MAX_BYTES = 256 * 1024;

// The fast path. Watches send tens of thousands of batches a second at peak; zod's parse copied every
// object and array of each batch, ~4 µs a batch, a tenth of the server's time at saturation
// (bench:ingest profile). These checks accept only what the schemas above accept and return the input
// itself; anything they do not accept goes through the schemas, which give the errors (or, where
// these are stricter than needed, the result). test/unit/batch-schemas.test.ts holds the two together.

const BATCH_KEYS = new Set(["seq", "startedAt", "intervalMs", "bpm", "activity"]);
const isInteger = (value: unknown, min: number, max: number): value is number => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

function isSampleArray(value: unknown, isValid: (sample: number) => boolean): value is number[] {
  if (!Array.isArray(value) || value.length > MAX_SAMPLES_PER_BATCH) return false;
  for (let index = 0; index < value.length; index += 1) {
    const sample: unknown = value[index];
    if (!Number.isInteger(sample) || !isValid(sample as number)) return false;
  }
  return true;
}

function isValidBatch(value: unknown): value is THeartRateBatch {
  if (!isPlainObject(value)) return false;
  for (const key in value) if (!BATCH_KEYS.has(key)) return false;
  const { seq, startedAt, intervalMs, bpm, activity } = value;
  return (
    isInteger(seq, 0, MAX_SEQ) &&
    isInteger(intervalMs, MIN_INTERVAL_MS, MAX_INTERVAL_MS) &&
    isSampleArray(bpm, isPlausibleBpm) &&
    bpm.length > 0 &&
    (activity === undefined || (isSampleArray(activity, isActivity) && activity.length === bpm.length)) &&
    typeof startedAt === "string" &&
    ZTimestamp.safeParse(startedAt).success
  );
}

function isValidUpload(value: unknown): value is THeartRateUpload {
  if (!isPlainObject(value)) return false;
  for (const key in value) if (key !== "batches") return false;
  const { batches } = value;
  if (!Array.isArray(batches) || batches.length < 1 || batches.length > MAX_BATCHES_PER_UPLOAD) return false;
  const seqs = new Set<number>();
  let samples = 0;
  for (const batch of batches) {
    if (!isValidBatch(batch) || seqs.has(batch.seq)) return false;
    seqs.add(batch.seq);
    samples += batch.bpm.length;
  }
  return samples <= MAX_SAMPLES_PER_BATCH;
}

/** A heart-rate batch from a device: returned as it came when valid, else ZHeartRateBatchSchema's result or error. */
export const parseHeartRateBatch = (value: unknown): THeartRateBatch => (isValidBatch(value) ? value : ZHeartRateBatchSchema.parse(value));

/** An upload of several batches: returned as it came when valid, else ZHeartRateUploadSchema's result or error. */
export const parseHeartRateUpload = (value: unknown): THeartRateUpload => (isValidUpload(value) ? value : ZHeartRateUploadSchema.parse(value));

/** Whether a device body is an upload of several batches (`{ batches }`) rather than one batch. */
export const isHeartRateUpload = (body: unknown): boolean => typeof body === "object" && body !== null && !Array.isArray(body) && "batches" in body;
