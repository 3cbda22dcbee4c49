export * from "./batch-schemas";
export { checkBatchTime, MAX_BATCH_AGE_MS, MAX_CLOCK_SKEW_MS } from "./check-batch-time";
export { compactHeartRate, type TCompactionResult } from "./compact-heart-rate";
export { createIngestWriter, type TIngestAck, type TIngestItem, type TIngestWriter, type TStoredListener } from "./create-ingest-writer";
export { ingestGlucose } from "./ingest-glucose";
export { ingestHeartRate, ingestHeartRateUpload } from "./ingest-heart-rate";
export { readHeartRateBatches, type TStoredHeartRateBatch } from "./read-heart-rate-batches";
export { startHeartRateCompactor, type THeartRateCompactor } from "./start-heart-rate-compactor";
