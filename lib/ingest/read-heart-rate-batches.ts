// Server-only. Stored heart rate as the batches the watches sent, from both homes of the data:
// staged batches and compacted hourly chunks, read in one statement (one snapshot), so a batch that
// the compactor moves meanwhile is seen exactly once.
import type { TDb, TTx } from "../db/create-prisma-client";
import { MAX_SAMPLES_PER_BATCH } from "./batch-schemas";
import { CHUNK_MS, decodeHeartRateChunk, decodeStagedActivity, decodeStagedBpm, type THeartRateSegment } from "./heart-rate-chunk-codec";

// The longest time a batch can span (3,600 samples 60 s apart): a chunk or staged batch that started
// this long before a range can still hold samples inside it.
const MAX_BATCH_SPAN_MS = MAX_SAMPLES_PER_BATCH * 60_000;

export type TStoredHeartRateBatch = THeartRateSegment & { deviceId: string; patientId: string; compacted: boolean };

type TRow = { source: "chunk" | "staged"; deviceId: string; patientId: string; atMs: number; seq: number | null; intervalMs: number | null; bpm: string; activity: string | null };

/**
 * Every stored batch of one patient (or one device) with a sample in [fromMs, toMs), sorted by start
 * time then seq. Samples outside the range are not trimmed: callers filter per sample.
 */
export async function readHeartRateBatches(options: {
  db: TDb | TTx;
  patientId?: string;
  deviceId?: string;
  fromMs?: number;
  toMs?: number;
}): Promise<TStoredHeartRateBatch[]> {
  const { patientId, deviceId } = options;
  if ((patientId === undefined) === (deviceId === undefined)) throw new Error("readHeartRateBatches needs exactly one of patientId and deviceId");
  const fromMs = options.fromMs ?? 0;
  const toMs = options.toMs ?? Date.UTC(9999, 0, 1);
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const lookBack = new Date(Math.max(0, fromMs - MAX_BATCH_SPAN_MS - CHUNK_MS)).toISOString();
  // By patient, staged rows are found through the patient's devices (the staging key is (deviceId, seq);
  // no extra index in the write path). Chunks carry the patient in their key.
  const chunkWhere = patientId !== undefined ? `c."patientId" = $1::uuid` : `c."deviceId" = $1::uuid`;
  const stagedWhere =
    patientId !== undefined
      ? `s."patientId" = $1::uuid AND s."deviceId" IN (SELECT d.id FROM "Device" d WHERE d."patientId" = $1::uuid)`
      : `s."deviceId" = $1::uuid`;
  const rows = await options.db.$queryRawUnsafe<TRow[]>(
    `SELECT 'chunk' AS source, c."deviceId"::text AS "deviceId", c."patientId"::text AS "patientId",
            (extract(epoch FROM c."hour") * 1000)::float8 AS "atMs", NULL::int AS seq, NULL::int AS "intervalMs",
            encode(c."data", 'hex') AS bpm, NULL::text AS activity
     FROM "HeartRateChunk" c
     WHERE ${chunkWhere} AND c."hour" >= $2::timestamptz AND c."hour" < $3::timestamptz AND c."lastAt" >= $4::timestamptz
     UNION ALL
     SELECT 'staged', s."deviceId"::text, s."patientId"::text, (extract(epoch FROM s."startedAt") * 1000)::float8, s."seq", s."intervalMs",
            encode(s."bpm", 'hex'), encode(s."activity", 'hex')
     FROM "HeartRateStagedBatch" s
     WHERE ${stagedWhere} AND s."startedAt" >= $2::timestamptz AND s."startedAt" < $3::timestamptz`,
    patientId ?? deviceId,
    lookBack,
    to,
    from,
  );
  const batches: TStoredHeartRateBatch[] = [];
  for (const row of rows) {
    if (row.source === "chunk") {
      for (const segment of decodeHeartRateChunk(Buffer.from(row.bpm, "hex"), row.atMs)) {
        batches.push({ ...segment, deviceId: row.deviceId, patientId: row.patientId, compacted: true });
      }
    } else {
      batches.push({
        seq: row.seq!,
        startedAtMs: row.atMs,
        intervalMs: row.intervalMs!,
        bpm: decodeStagedBpm(row.bpm),
        activity: decodeStagedActivity(row.activity ?? ""),
        deviceId: row.deviceId,
        patientId: row.patientId,
        compacted: false,
      });
    }
  }
  return batches
    .filter((batch) => batch.startedAtMs < toMs && batch.startedAtMs + (batch.bpm.length - 1) * batch.intervalMs >= fromMs)
    .sort((left, right) => left.startedAtMs - right.startedAtMs || left.seq - right.seq);
}
