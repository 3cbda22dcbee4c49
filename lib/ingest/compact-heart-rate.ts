// Server-only. Folds staged heart-rate batches into per-device hourly chunks.
//
// Why staging plus compaction: a batch must be acknowledged only once committed, and a watch sends a
// 10-sample batch every 10 s. Appending each batch to its hour's chunk in the request path would
// rewrite a growing row (and its TOAST) 360 times an hour per watch; one narrow insert per batch is
// the cheapest durable write. Storage per sample is then paid once, here, every few minutes: a day of
// 1 Hz heart rate becomes 24 rows of deflated, delta-coded bytes instead of 8,640 batch rows with
// three index entries each (3 MB per patient-day before this change).
//
// Safety against the ingest writer (which runs in other transactions, maybe other processes):
// - Staged rows are only ever inserted by the writer, never updated; this job reads a set of rows,
//   writes their chunks and deletes exactly those rows, in one transaction. A reader sees the batch
//   either staged or compacted, never both or neither.
// - A retry racing this job: the writer inserts into staging first. If this job is deleting the same
//   (deviceId, seq), the insert waits for this transaction, then goes in; the writer's next statement
//   (a new snapshot under READ COMMITTED) looks for the seq in the chunks, finds it, answers the retry
//   from the chunk and deletes its own staged copy before committing. See create-ingest-writer.ts.
// - Single flight across instances: each transaction first takes a transaction-level advisory lock
//   and gives up if another instance holds it; the rows it folds are read after taking the lock.
import type { TDb, TTx } from "../db/create-prisma-client";
import { getLogger } from "../log/logger";
import {
  chunkHourOf,
  decodeHeartRateChunk,
  decodeStagedActivity,
  decodeStagedBpm,
  encodeHeartRateChunk,
  isSameSegment,
  summarizeHeartRateChunk,
  type THeartRateSegment,
} from "./heart-rate-chunk-codec";

// Arbitrary constant shared by every PulseGuard instance (the migrator uses another).
const COMPACTION_LOCK_KEY = 7_325_114_894;

export type TCompactionResult = {
  batches: number;
  samples: number;
  chunks: number;
  transactions: number;
  skipped: boolean;
  ms: number;
  /** The longest transaction: on PGlite, the longest the event loop and every other query waited for this job. */
  maxTransactionMs: number;
};

/**
 * The pause between two transactions. On PGlite every query runs on the event loop's thread, and a chain
 * of awaited queries never yields to it (each await resolves as a microtask): back-to-back transactions
 * stalled sockets, ingest acknowledgements and alert pushes for the whole run (2 s for 13 minutes of
 * 1,000 watches' history, measured with bench:alerts). Yielding between transactions bounds the stall to
 * one transaction and lets the waiting writes and alerts go first; this background job just ends later.
 */
const PAUSE_BETWEEN_TRANSACTIONS_MS = 5;

type TStagedRow = { deviceId: string; seq: number; patientId: string; startedAtMs: number; intervalMs: number; bpm: string; activity: string };
type TChunkKey = { patientId: string; hourMs: number; deviceId: string };
const chunkKeyOf = (key: TChunkKey) => `${key.patientId}:${key.hourMs}:${key.deviceId}`;

/**
 * Compacts every batch staged when it starts, `maxBatchesPerTransaction` (default 1,000) at a time (short transactions
 * keep the writer's commits flowing; on PGlite they share one connection). Batches staged while it runs
 * wait for the next run.
 */
export async function compactHeartRate(options: {
  db: TDb;
  maxBatchesPerTransaction?: number;
  /** Checked between transactions: a shutting-down server stops after the current one (the rest waits for the next run). */
  shouldStop?: () => boolean;
}): Promise<TCompactionResult> {
  const { db } = options;
  const maxBatches = options.maxBatchesPerTransaction ?? 1_000;
  const startedAt = performance.now();
  const result: TCompactionResult = { batches: 0, samples: 0, chunks: 0, transactions: 0, skipped: false, ms: 0, maxTransactionMs: 0 };
  const perDevice = await db.$queryRawUnsafe<{ deviceId: string; batches: number }[]>(
    `SELECT "deviceId"::text AS "deviceId", count(*)::int AS batches FROM "HeartRateStagedBatch" GROUP BY 1 ORDER BY 1`,
  );
  // Devices in slices of about maxBatches staged rows; a device with a larger backlog (an install
  // migrated with history) takes several transactions, each merging into the chunks the last one wrote.
  let slice: string[] = [];
  let sliceBatches = 0;
  const slices: string[][] = [];
  for (const { deviceId, batches } of perDevice) {
    if (slice.length > 0 && sliceBatches + batches > maxBatches) {
      slices.push(slice);
      slice = [];
      sliceBatches = 0;
    }
    slice.push(deviceId);
    sliceBatches += batches;
  }
  if (slice.length > 0) slices.push(slice);

  for (const deviceIds of slices) {
    for (;;) {
      if (options.shouldStop?.()) {
        result.ms = performance.now() - startedAt;
        return result;
      }
      if (result.transactions > 0) await new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_TRANSACTIONS_MS));
      const transactionStartedAt = performance.now();
      const step = await db.$transaction((tx) => compactSlice(tx, deviceIds, maxBatches), { timeout: 120_000, maxWait: 60_000 });
      result.maxTransactionMs = Math.max(result.maxTransactionMs, performance.now() - transactionStartedAt);
      if (step === "locked") {
        result.skipped = true;
        result.ms = performance.now() - startedAt;
        return result;
      }
      result.transactions += 1;
      result.batches += step.batches;
      result.samples += step.samples;
      result.chunks += step.chunks;
      if (step.batches < maxBatches) break;
    }
  }
  result.ms = performance.now() - startedAt;
  return result;
}

async function compactSlice(tx: TTx, deviceIds: string[], maxBatches: number): Promise<"locked" | { batches: number; samples: number; chunks: number }> {
  const [lock] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(`SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`, COMPACTION_LOCK_KEY);
  if (!lock?.locked) return "locked";
  const staged = await tx.$queryRawUnsafe<TStagedRow[]>(
    `SELECT "deviceId"::text AS "deviceId", "seq", "patientId"::text AS "patientId",
            (extract(epoch FROM "startedAt") * 1000)::float8 AS "startedAtMs", "intervalMs",
            encode("bpm", 'hex') AS bpm, encode("activity", 'hex') AS activity
     FROM "HeartRateStagedBatch" WHERE "deviceId" = ANY($1::uuid[])
     ORDER BY "deviceId", "startedAt", "seq" LIMIT $2`,
    deviceIds,
    maxBatches,
  );
  if (staged.length === 0) return { batches: 0, samples: 0, chunks: 0 };

  const incoming = new Map<string, { key: TChunkKey; segments: THeartRateSegment[] }>();
  let samples = 0;
  for (const row of staged) {
    const key = { patientId: row.patientId, hourMs: chunkHourOf(row.startedAtMs), deviceId: row.deviceId };
    const id = chunkKeyOf(key);
    const segment = { seq: row.seq, startedAtMs: row.startedAtMs, intervalMs: row.intervalMs, bpm: decodeStagedBpm(row.bpm), activity: decodeStagedActivity(row.activity) };
    samples += segment.bpm.length;
    const entry = incoming.get(id);
    if (entry) entry.segments.push(segment);
    else incoming.set(id, { key, segments: [segment] });
  }

  const keys = [...incoming.values()].map((entry) => entry.key);
  const existing = await tx.$queryRawUnsafe<{ patientId: string; hourMs: number; deviceId: string; data: string }[]>(
    `SELECT c."patientId"::text AS "patientId", (extract(epoch FROM c."hour") * 1000)::float8 AS "hourMs", c."deviceId"::text AS "deviceId",
            encode(c."data", 'hex') AS data
     FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[]) AS k(p, h, d)
     JOIN "HeartRateChunk" c ON c."patientId" = k.p AND c."hour" = k.h AND c."deviceId" = k.d`,
    keys.map((key) => key.patientId),
    keys.map((key) => new Date(key.hourMs).toISOString()),
    keys.map((key) => key.deviceId),
  );
  const existingById = new Map(existing.map((row) => [chunkKeyOf(row), row.data]));

  const rows: { key: TChunkKey; data: Buffer; summary: ReturnType<typeof summarizeHeartRateChunk> }[] = [];
  for (const [id, { key, segments }] of incoming) {
    const stored = existingById.get(id);
    const merged = stored ? decodeHeartRateChunk(Buffer.from(stored, "hex"), key.hourMs) : [];
    const bySeq = new Map(merged.map((segment) => [segment.seq, segment]));
    for (const segment of segments) {
      const already = bySeq.get(segment.seq);
      // The writer answers retries of compacted batches itself, so a seq is never staged twice; if it
      // ever were, an identical copy is dropped and a different one kept (an acknowledged batch is never thrown away).
      if (already && isSameSegment(already, segment)) continue;
      if (already) getLogger().error({ deviceId: key.deviceId, seq: segment.seq }, "heart-rate seq compacted twice with different data; kept both");
      merged.push(segment);
      bySeq.set(segment.seq, segment);
    }
    rows.push({ key, data: encodeHeartRateChunk(merged, key.hourMs), summary: summarizeHeartRateChunk(merged) });
  }

  await tx.$executeRawUnsafe(
    `INSERT INTO "HeartRateChunk" ("patientId", "hour", "deviceId", "lastAt", "seqMin", "seqMax", "batches", "samples", "readings", "sumBpm", "minBpm", "maxBpm", "data")
     SELECT p, h, d, l, s0, s1, b, n, r, sb, mn, mx, decode(x, 'hex')
     FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::timestamptz[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[], $10::int[], $11::int2[], $12::int2[], $13::text[])
       AS u(p, h, d, l, s0, s1, b, n, r, sb, mn, mx, x)
     ON CONFLICT ("patientId", "hour", "deviceId") DO UPDATE SET
       "lastAt" = EXCLUDED."lastAt", "seqMin" = EXCLUDED."seqMin", "seqMax" = EXCLUDED."seqMax", "batches" = EXCLUDED."batches",
       "samples" = EXCLUDED."samples", "readings" = EXCLUDED."readings", "sumBpm" = EXCLUDED."sumBpm",
       "minBpm" = EXCLUDED."minBpm", "maxBpm" = EXCLUDED."maxBpm", "data" = EXCLUDED."data"`,
    rows.map((row) => row.key.patientId),
    rows.map((row) => new Date(row.key.hourMs).toISOString()),
    rows.map((row) => row.key.deviceId),
    rows.map((row) => new Date(row.summary.lastAtMs).toISOString()),
    rows.map((row) => row.summary.seqMin),
    rows.map((row) => row.summary.seqMax),
    rows.map((row) => row.summary.batches),
    rows.map((row) => row.summary.samples),
    rows.map((row) => row.summary.readings),
    rows.map((row) => row.summary.sumBpm),
    rows.map((row) => row.summary.minBpm),
    rows.map((row) => row.summary.maxBpm),
    rows.map((row) => row.data.toString("hex")),
  );
  await tx.$executeRawUnsafe(
    `DELETE FROM "HeartRateStagedBatch" s USING unnest($1::uuid[], $2::int[]) AS k(d, q) WHERE s."deviceId" = k.d AND s."seq" = k.q`,
    staged.map((row) => row.deviceId),
    staged.map((row) => row.seq),
  );
  return { batches: staged.length, samples, chunks: rows.length };
}
