// Server-only. Group commit for device data: batches from many devices queue up and are written
// together in one transaction, so throughput grows with load instead of one commit per batch. A batch
// is acknowledged only after the transaction that holds it has committed. When the queue is full,
// callers are told to retry later (429) instead of the queue growing without bound. Heart rate is
// written to a narrow staging table; the writer also runs the compactor that folds staged batches into
// hourly chunks (compact-heart-rate.ts), so starting a writer is all a server does to get both.
import type { TDatabase, TSql } from "../db/open-database";
import { AppError, isAppError } from "../errors/app-error";
import { traceAlertPathActivity } from "../alerts/alert-path-trace";
import { getLogger } from "../log/logger";
import { MAX_BATCH_AGE_MS } from "./check-batch-time";
import { CHUNK_MS, decodeHeartRateChunk, encodeStagedActivity, encodeStagedBpm, isSameSegment, type THeartRateSegment } from "./heart-rate-chunk-codec";
import { COMPACT_EVERY_MS, startHeartRateCompactor, type THeartRateCompactor } from "./start-heart-rate-compactor";

export type THeartRateItem = {
  kind: "heart-rate";
  deviceId: string;
  patientId: string;
  seq: number;
  startedAtMs: number;
  intervalMs: number;
  bpm: number[];
  activity: number[];
  /** When the batch reached the server (epoch ms), for latency tracing only. */
  receivedAtMs?: number;
};

export type TGlucoseItem = {
  kind: "glucose";
  deviceId: string;
  patientId: string;
  seq: number;
  readings: { measuredAtMs: number; glucoseMgDl: number }[];
};

export type TIngestItem = THeartRateItem | TGlucoseItem;

export type TIngestAck = { deviceId: string; seq: number; status: "stored" | "duplicate"; samples: number };

export type TIngestWriter = {
  submit(item: TIngestItem): Promise<TIngestAck>;
  /**
   * Several batches at once (an upload from one device): queued together, one promise per item, or
   * refused together before anything is queued: throws THROTTLED when the queue has no room for all of
   * them, UNAVAILABLE when the writer is closing.
   */
  submitMany(items: TIngestItem[]): Promise<TIngestAck>[];
  stats(): { queuedSamples: number; queuedBatches: number; flushes: number };
  /** Called after each commit with what was newly stored (not duplicates): live pushes and detection hang here. */
  onStored(listener: TStoredListener): void;
  /** Writes what is queued, then refuses new work. */
  close(): Promise<void>;
};

/** When the group's transaction started and committed (epoch ms), for latency tracing. */
export type TStoredGroupTiming = { flushStartedAtMs: number; committedAtMs: number };

export type TStoredListener = (stored: TIngestItem[], timing: TStoredGroupTiming) => void;

type TPending = { item: TIngestItem; resolve: (ack: TIngestAck) => void; reject: (error: unknown) => void };

const sampleCount = (item: TIngestItem) => (item.kind === "heart-rate" ? item.bpm.length : item.readings.length);
const keyOf = (item: TIngestItem) => `${item.kind}:${item.deviceId}:${item.seq}`;

export function createIngestWriter(options: {
  /** Group commits run as plain SQL (database.transaction); the compactor goes through Prisma. */
  database: Pick<TDatabase, "prisma" | "transaction" | "kind">;
  /** Back-pressure threshold: samples waiting to be written. */
  maxQueuedSamples?: number;
  maxBatchesPerFlush?: number;
  /**
   * Group commits in flight at once (default 2 on PostgreSQL, 1 on PGlite, whose transactions hold the
   * event loop). With one, the server sat idle while each commit travelled to the database and back
   * (bench:ingest: a quarter of the machine idle at saturation). A device is never in two flushes at
   * once, so each device's batches still commit in order and concurrent flushes touch disjoint rows.
   */
  maxConcurrentFlushes?: number;
  /**
   * Samples per group: a backlog drained after an outage (hour-long batches) is written in several
   * shorter transactions, so live batches and alerts interleave with it instead of waiting behind one
   * long write (on PGlite a transaction holds the event loop). A single larger batch still goes alone.
   */
  maxSamplesPerFlush?: number;
  /**
   * How often staged heart rate is folded into hourly chunks (compact-heart-rate.ts); 0 turns the
   * compactor off (another instance, or a test, runs it). Runs across instances are single-flight.
   */
  compactEveryMs?: number;
  firstCompactionAfterMs?: number;
}): TIngestWriter {
  const { database } = options;
  const db = database.prisma;
  const compactEveryMs = options.compactEveryMs ?? COMPACT_EVERY_MS;
  const compactor: THeartRateCompactor | undefined =
    compactEveryMs > 0 ? startHeartRateCompactor({ db, everyMs: compactEveryMs, firstAfterMs: options.firstCompactionAfterMs }) : undefined;
  const maxQueuedSamples = options.maxQueuedSamples ?? 500_000;
  const maxBatchesPerFlush = options.maxBatchesPerFlush ?? 500;
  const maxSamplesPerFlush = options.maxSamplesPerFlush ?? 20_000;
  const maxConcurrentFlushes = options.maxConcurrentFlushes ?? (database.kind === "postgres" ? 2 : 1);
  const logger = getLogger();
  const queue: TPending[] = [];
  let queuedSamples = 0;
  // Of those, the samples still in the queue (not yet taken into a group).
  let waitingSamples = 0;
  // Another flush starts beside a running one only for a group worth its commit: with 10,000 watches
  // each sending a batch every 10 s, a second lane took every batch as it came (1.3 batches per commit,
  // 750 commits a second), so the database and the server spent most of their time on commits.
  const minSamplesForAnotherLane = Math.floor(maxSamplesPerFlush / 4);
  let flushes = 0;
  const lanes = new Set<Promise<void>>();
  // Devices with a batch in a flush in flight: their next batches wait for that commit.
  const busyDevices = new Set<string>();
  let closed = false;
  const storedListeners: TStoredListener[] = [];

  const flushLoop = async () => {
    for (let isFirst = true; queue.length > 0; isFirst = false) {
      // On PGlite a transaction runs on the event loop's thread without yielding to it: between two
      // groups, let sockets be read and alerts pushed (the batches that arrive meanwhile join the next group).
      if (!isFirst) await new Promise((resolve) => setImmediate(resolve));
      if (queue.length === 0) break;
      const { group, groupSamples } = takeGroup(queue, {
        maxBatches: maxBatchesPerFlush,
        maxSamples: maxSamplesPerFlush,
        nowMs: Date.now(),
        isBusy: (item) => busyDevices.has(item.deviceId),
      });
      // Everything queued belongs to devices another flush is writing: that flush picks it up next.
      if (group.length === 0) break;
      waitingSamples -= groupSamples;
      const groupDevices = new Set(group.map((pending) => pending.item.deviceId));
      for (const deviceId of groupDevices) busyDevices.add(deviceId);
      // While this one travels to the database, another lane may take what arrives meanwhile.
      scheduleFlush();
      const startedAt = performance.now();
      const flushStartedAtMs = Date.now();
      try {
        const { acks, stored } = await database.transaction((sql) => writeGroup(sql, group.map((pending) => pending.item)));
        queuedSamples -= groupSamples;
        flushes += 1;
        group.forEach((pending, index) => {
          const ack = acks[index]!;
          if (ack instanceof Error) pending.reject(ack);
          else pending.resolve(ack);
        });
        logger.debug({ batches: group.length, samples: groupSamples, ms: Math.round(performance.now() - startedAt) }, "ingest flush");
        traceAlertPathActivity("ingest-flush", flushStartedAtMs, { batches: group.length });
        if (stored.length > 0) {
          const timing = { flushStartedAtMs, committedAtMs: Date.now() };
          for (const listener of storedListeners) {
            try {
              listener(stored, timing);
            } catch (error) {
              logger.error({ err: error instanceof Error ? { name: error.name } : undefined }, "stored listener failed");
            }
          }
        }
      } catch (error) {
        queuedSamples -= groupSamples;
        // Name and code only: a database error message can quote the failing row, readings included.
        const code = (error as { code?: unknown } | null)?.code;
        logger.error({ batches: group.length, err: error instanceof Error ? { name: error.name, code: typeof code === "string" ? code : undefined } : undefined }, "ingest flush failed");
        for (const pending of group) pending.reject(new AppError("UNAVAILABLE", { message: "Could not store the batch; retry", retryAfterS: 1 }));
      } finally {
        for (const deviceId of groupDevices) busyDevices.delete(deviceId);
      }
    }
  };

  // The flush starts on the next turn of the event loop, so every batch that arrived in this turn joins
  // the same transaction (with PGlite a transaction never yields, so starting at once wrote one batch each).
  let isScheduled = false;
  const mayStartLane = () => queue.length > 0 && (lanes.size === 0 || (lanes.size < maxConcurrentFlushes && waitingSamples >= minSamplesForAnotherLane));
  function scheduleFlush() {
    if (isScheduled || !mayStartLane()) return;
    isScheduled = true;
    setImmediate(() => {
      isScheduled = false;
      if (!mayStartLane()) return;
      const lane: Promise<void> = flushLoop().finally(() => {
        lanes.delete(lane);
        // A lane that found only busy devices' batches leaves them to the lane writing those devices.
        if (lanes.size === 0) scheduleFlush();
      });
      lanes.add(lane);
    });
  }

  function submitMany(items: TIngestItem[]): Promise<TIngestAck>[] {
    if (closed) throw new AppError("UNAVAILABLE", { message: "Server is shutting down; retry", retryAfterS: 2 });
    let samples = 0;
    for (const item of items) samples += sampleCount(item);
    if (queuedSamples + samples > maxQueuedSamples) throw new AppError("THROTTLED", { message: "Ingest queue is full; retry later", retryAfterS: 1 });
    queuedSamples += samples;
    waitingSamples += samples;
    const acks = items.map((item) => new Promise<TIngestAck>((resolve, reject) => queue.push({ item, resolve, reject })));
    scheduleFlush();
    return acks;
  }

  return {
    submit(item) {
      try {
        return submitMany([item])[0]!;
      } catch (error) {
        return Promise.reject(error);
      }
    },
    submitMany,
    stats: () => ({ queuedSamples, queuedBatches: queue.length, flushes }),
    onStored(listener) {
      storedListeners.push(listener);
    },
    async close() {
      closed = true;
      await compactor?.stop();
      while (lanes.size > 0 || isScheduled) await (lanes.size > 0 ? Promise.allSettled([...lanes]) : new Promise((resolve) => setImmediate(resolve)));
    },
  };
}

/** A batch whose data ends within this window is live: someone may be in trouble now. */
export const LIVE_BATCH_WINDOW_MS = 120_000;

const isLive = (item: TIngestItem, nowMs: number) =>
  item.kind === "heart-rate"
    ? item.startedAtMs + item.intervalMs * item.bpm.length >= nowMs - LIVE_BATCH_WINDOW_MS
    : item.readings.some((reading) => reading.measuredAtMs >= nowMs - LIVE_BATCH_WINDOW_MS);

/**
 * The next group to write, taken out of the queue: live batches first, then the oldest backlog, within
 * the batch and sample limits (a single larger batch still goes alone). After an outage, thousands of
 * watches drain their offline buffers at once; the last minute of a patient in trouble must not wait
 * behind hours of everyone's history. Each batch is still written once and acknowledged after its commit.
 */
export function takeGroup<T extends { item: TIngestItem }>(
  queue: T[],
  limits: { maxBatches: number; maxSamples: number; nowMs: number; isBusy?: (item: TIngestItem) => boolean },
): { group: T[]; groupSamples: number } {
  const taken = new Set<number>();
  let groupSamples = 0;
  const offer = (index: number) => {
    // Left in the queue, without ending the group: another flush is writing this device.
    if (limits.isBusy?.(queue[index]!.item)) return true;
    const samples = sampleCount(queue[index]!.item);
    if (taken.size > 0 && groupSamples + samples > limits.maxSamples) return false;
    taken.add(index);
    groupSamples += samples;
    return true;
  };
  for (let index = 0; index < queue.length && taken.size < limits.maxBatches; index += 1) {
    if (isLive(queue[index]!.item, limits.nowMs) && !offer(index)) break;
  }
  for (let index = 0; index < queue.length && taken.size < limits.maxBatches; index += 1) {
    if (!taken.has(index) && !offer(index)) break;
  }
  const group: T[] = [];
  const rest: T[] = [];
  queue.forEach((pending, index) => (taken.has(index) ? group : rest).push(pending));
  queue.length = 0;
  for (const pending of rest) queue.push(pending);
  return { group, groupSamples };
}

/** Writes one group in one transaction; returns an ack or an error per item, in order. */
async function writeGroup(sql: TSql, items: TIngestItem[]): Promise<{ acks: (TIngestAck | AppError)[]; stored: TIngestItem[] }> {
  const acks: (TIngestAck | AppError)[] = new Array(items.length);
  // The same (device, seq) twice in one group: the later copy is answered like a retry of the first.
  const firstIndexByKey = new Map<string, number>();
  const unique: { item: TIngestItem; index: number }[] = [];
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (firstIndexByKey.has(key)) return;
    firstIndexByKey.set(key, index);
    unique.push({ item, index });
  });

  const heartRate = unique.filter((entry): entry is { item: THeartRateItem; index: number } => entry.item.kind === "heart-rate");
  const glucose = unique.filter((entry): entry is { item: TGlucoseItem; index: number } => entry.item.kind === "glucose");
  const stored: TIngestItem[] = [];
  const deviceIds = [...new Set(items.map((item) => item.deviceId))];

  if (heartRate.length > 0) {
    // The devices' lastSeenAt rides on the heart-rate insert (one round trip fewer per group commit).
    const result = await writeHeartRate(sql, heartRate, deviceIds);
    for (const [index, ack] of result.acks) acks[index] = ack;
    stored.push(...result.stored);
  } else {
    await sql.query(`UPDATE "Device" SET "lastSeenAt" = now() WHERE ${SEEN_DUE_SQL("$1")}`, [deviceIds]);
  }

  if (glucose.length > 0) {
    // Look before inserting, so a device that reuses a sequence number for other readings gets its own
    // 409 without rolling back the other devices' batches in this group.
    const existing = await sql.query<{ deviceId: string; seq: number; measuredAtMs: number; glucoseMgDl: number }>(
      `SELECT g."deviceId"::text AS "deviceId", g."seq", (extract(epoch FROM g."measuredAt") * 1000)::float8 AS "measuredAtMs", g."glucoseMgDl"::int AS "glucoseMgDl"
       FROM "GlucoseReading" g JOIN unnest($1::uuid[], $2::int[]) AS k(d, q) ON g."deviceId" = k.d AND g."seq" = k.q`,
      [glucose.map(({ item }) => item.deviceId), glucose.map(({ item }) => item.seq)],
    );
    const existingByKey = new Map<string, string[]>();
    for (const row of existing) {
      const key = `glucose:${row.deviceId}:${row.seq}`;
      existingByKey.set(key, [...(existingByKey.get(key) ?? []), `${row.measuredAtMs}=${row.glucoseMgDl}`]);
    }
    const fresh: TGlucoseItem[] = [];
    for (const { item, index } of glucose) {
      const stored = existingByKey.get(keyOf(item));
      if (!stored) {
        fresh.push(item);
        acks[index] = { deviceId: item.deviceId, seq: item.seq, status: "stored", samples: item.readings.length };
        continue;
      }
      const sent = item.readings.map((reading) => `${reading.measuredAtMs}=${reading.glucoseMgDl}`);
      const isSame = sent.length === stored.length && [...sent].sort().join() === [...stored].sort().join();
      acks[index] = isSame
        ? { deviceId: item.deviceId, seq: item.seq, status: "duplicate", samples: item.readings.length }
        : new AppError("CONFLICT", { message: `Sequence number ${item.seq} was already used for different readings` });
    }
    if (fresh.length > 0) {
      const rows = fresh.flatMap((item) => item.readings.map((reading) => ({ item, reading })));
      await sql.query(
        `INSERT INTO "GlucoseReading" ("deviceId", "patientId", "seq", "measuredAt", "glucoseMgDl")
         SELECT d, p, s, t, g::smallint FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::timestamptz[], $5::int[]) AS x(d, p, s, t, g)`,
        [
          rows.map(({ item }) => item.deviceId),
          rows.map(({ item }) => item.patientId),
          rows.map(({ item }) => item.seq),
          rows.map(({ reading }) => new Date(reading.measuredAtMs).toISOString()),
          rows.map(({ reading }) => reading.glucoseMgDl),
        ],
      );
      stored.push(...fresh);
    }
  }

  items.forEach((item, index) => {
    if (acks[index] !== undefined) return;
    const first = acks[firstIndexByKey.get(keyOf(item))!]!;
    acks[index] = isAppError(first) ? first : { ...first, status: "duplicate" };
  });
  return { acks, stored };
}

// At most one lastSeenAt write per device every 30 s: a write per batch left dead rows behind at scale,
// and the stale-device alarm works in minutes.
const SEEN_DUE_SQL = (deviceIdsParam: string) =>
  `id = ANY(${deviceIdsParam}::uuid[]) AND ("lastSeenAt" IS NULL OR "lastSeenAt" < now() - interval '30 seconds')`;

// Far enough back to find any batch a watch may still retry: batches up to MAX_BATCH_AGE_MS old are
// accepted, a chunk holds batches that started in its hour, and a margin covers clock skew. A seq last
// used before that belongs to data that can no longer be sent again, so it is not remembered.
const RETRY_LOOKBACK_MS = MAX_BATCH_AGE_MS + CHUNK_MS + 24 * 3_600_000;

type TIndexedHeartRate = { item: THeartRateItem; index: number };

/**
 * A PostgreSQL array literal of ids (uuids) and integers, which need neither quotes nor escapes. The
 * driver quotes and escapes every element of an array parameter, one of the larger CPU items of a
 * group commit (bench:ingest profile); the values here come from our own rows and our own checks.
 */
function arrayLiteral(values: readonly (string | number)[]): string {
  return `{${values.join(",")}}`;
}

/**
 * The group's samples as two binary parameters (bpm one byte per sample, activity two), each batch a
 * slice given by offset and length. Binary parameters travel as they are: the hex text they replaced
 * doubled the bytes sent to the server, and bytes on the connection were a visible cost per commit.
 */
function packSamples(items: THeartRateItem[]) {
  let bpmBytes = 0;
  let activityBytes = 0;
  for (const item of items) {
    bpmBytes += item.bpm.length;
    activityBytes += item.activity.length * 2;
  }
  const bpm = Buffer.allocUnsafe(bpmBytes);
  const activity = Buffer.allocUnsafe(activityBytes);
  const bpmAt: number[] = [];
  const bpmLength: number[] = [];
  const activityAt: number[] = [];
  const activityLength: number[] = [];
  let bpmOffset = 0;
  let activityOffset = 0;
  for (const item of items) {
    bpmAt.push(bpmOffset);
    bpmLength.push(item.bpm.length);
    for (const value of item.bpm) bpm[bpmOffset++] = value;
    activityAt.push(activityOffset);
    activityLength.push(item.activity.length * 2);
    for (const value of item.activity) activityOffset = activity.writeUInt16LE(value, activityOffset);
  }
  return { bpm, activity, bpmAt, bpmLength, activityAt, activityLength };
}

/**
 * Heart rate: one narrow staged row per batch, compacted later (compact-heart-rate.ts). A batch is new
 * only if its (deviceId, seq) is neither staged nor inside a compacted chunk; a known one is answered
 * as a duplicate when it carries the same data, 409 when the seq was used for different data.
 * Statement order matters: insert first, then look in the chunks with a new snapshot (see the
 * compactor's comment for the race this closes).
 */
async function writeHeartRate(
  sql: TSql,
  heartRate: TIndexedHeartRate[],
  deviceIds: string[],
): Promise<{ acks: [number, TIngestAck | AppError][]; stored: THeartRateItem[] }> {
  const acks: [number, TIngestAck | AppError][] = [];
  const packed = packSamples(heartRate.map(({ item }) => item));
  // One INSERT ... SELECT FROM unnest(...) for the whole group, with the devices' lastSeenAt in the same
  // statement; the staged bytes are slices of the two binary parameters.
  const inserted = await sql.query<{ deviceId: string; seq: number }>(
    `WITH seen AS (UPDATE "Device" SET "lastSeenAt" = now() WHERE ${SEEN_DUE_SQL("$12")})
     INSERT INTO "HeartRateStagedBatch" ("deviceId", "seq", "patientId", "startedAt", "intervalMs", "bpm", "activity")
     SELECT d, s, p, to_timestamp(t / 1000.0), i, substring($6::bytea FROM bo + 1 FOR bn), substring($7::bytea FROM ao + 1 FOR an)
     FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::float8[], $5::int[], $8::int[], $9::int[], $10::int[], $11::int[]) AS x(d, s, p, t, i, bo, bn, ao, an)
     ON CONFLICT ("deviceId", "seq") DO NOTHING
     RETURNING "deviceId"::text AS "deviceId", "seq"`,
    [
      arrayLiteral(heartRate.map(({ item }) => item.deviceId)),
      arrayLiteral(heartRate.map(({ item }) => item.seq)),
      arrayLiteral(heartRate.map(({ item }) => item.patientId)),
      // Epoch milliseconds: to_timestamp keeps microseconds, so every millisecond comes back exact.
      arrayLiteral(heartRate.map(({ item }) => item.startedAtMs)),
      arrayLiteral(heartRate.map(({ item }) => item.intervalMs)),
      packed.bpm,
      packed.activity,
      arrayLiteral(packed.bpmAt),
      arrayLiteral(packed.bpmLength),
      arrayLiteral(packed.activityAt),
      arrayLiteral(packed.activityLength),
      arrayLiteral(deviceIds),
    ],
  );
  const insertedKeys = new Set(inserted.map((row) => `heart-rate:${row.deviceId}:${row.seq}`));
  const fresh = heartRate.filter(({ item }) => insertedKeys.has(keyOf(item)));
  const notInserted = heartRate.filter(({ item }) => !insertedKeys.has(keyOf(item)));

  // Already staged: compare with the staged row. Gone from staging meanwhile: compacted, look in the chunks.
  const lookInChunks: TIndexedHeartRate[] = [...fresh];
  if (notInserted.length > 0) {
    const rows = await sql.query<{ deviceId: string; seq: number; startedAtMs: number; intervalMs: number; bpm: string; activity: string }>(
      `SELECT s."deviceId"::text AS "deviceId", s."seq", (extract(epoch FROM s."startedAt") * 1000)::float8 AS "startedAtMs", s."intervalMs",
              encode(s."bpm", 'hex') AS bpm, encode(s."activity", 'hex') AS activity
       FROM "HeartRateStagedBatch" s JOIN unnest($1::uuid[], $2::int[]) AS k(d, q) ON s."deviceId" = k.d AND s."seq" = k.q`,
      [notInserted.map(({ item }) => item.deviceId), notInserted.map(({ item }) => item.seq)],
    );
    const byKey = new Map(rows.map((row) => [`heart-rate:${row.deviceId}:${row.seq}`, row]));
    for (const entry of notInserted) {
      const row = byKey.get(keyOf(entry.item));
      if (!row) {
        lookInChunks.push(entry);
        continue;
      }
      const isSame =
        row.startedAtMs === entry.item.startedAtMs &&
        row.intervalMs === entry.item.intervalMs &&
        row.bpm === encodeStagedBpm(entry.item.bpm) &&
        row.activity === encodeStagedActivity(entry.item.activity);
      acks.push([entry.index, answerRetry(entry.item, isSame)]);
    }
  }

  const compacted = await findCompactedSegments(sql, lookInChunks.map(({ item }) => item));
  const freshKeys = new Set(fresh.map(({ item }) => keyOf(item)));
  const storedItems: THeartRateItem[] = [];
  const unstage: THeartRateItem[] = [];
  for (const entry of lookInChunks) {
    const segment = compacted.get(keyOf(entry.item));
    if (!segment) {
      if (freshKeys.has(keyOf(entry.item))) {
        acks.push([entry.index, { deviceId: entry.item.deviceId, seq: entry.item.seq, status: "stored", samples: entry.item.bpm.length }]);
        storedItems.push(entry.item);
      } else {
        // Was staged when we inserted, is neither staged nor compacted now: only possible if the original
        // is older than the retry window. Ask the device to retry; it will then be stored as new.
        acks.push([entry.index, new AppError("UNAVAILABLE", { message: "Could not store the batch; retry", retryAfterS: 1 })]);
      }
      continue;
    }
    // A retry of a batch that was already compacted: our staged copy must not survive this transaction.
    if (freshKeys.has(keyOf(entry.item))) unstage.push(entry.item);
    acks.push([entry.index, answerRetry(entry.item, isSameSegment(segment, entry.item))]);
  }
  if (unstage.length > 0) {
    await sql.query(`DELETE FROM "HeartRateStagedBatch" s USING unnest($1::uuid[], $2::int[]) AS k(d, q) WHERE s."deviceId" = k.d AND s."seq" = k.q`, [
      unstage.map((item) => item.deviceId),
      unstage.map((item) => item.seq),
    ]);
  }
  return { acks, stored: storedItems };
}

function answerRetry(item: THeartRateItem, isSame: boolean): TIngestAck | AppError {
  return isSame
    ? { deviceId: item.deviceId, seq: item.seq, status: "duplicate", samples: item.bpm.length }
    : new AppError("CONFLICT", { message: `Sequence number ${item.seq} was already used for different data` });
}

/**
 * The compacted copies of these (deviceId, seq) keys, if any. The (deviceId, seqMax) index makes the
 * usual case one index probe that finds nothing: a watch's new batch has a higher seq than anything
 * compacted. A chunk whose seq range holds the seq is decoded to be sure.
 */
async function findCompactedSegments(sql: TSql, items: THeartRateItem[]): Promise<Map<string, THeartRateSegment>> {
  const found = new Map<string, THeartRateSegment>();
  if (items.length === 0) return found;
  const rows = await sql.query<{ deviceId: string; seq: number; hourMs: number; data: string }>(
    `SELECT k.d::text AS "deviceId", k.q AS seq, (extract(epoch FROM c."hour") * 1000)::float8 AS "hourMs", encode(c."data", 'hex') AS data
     FROM unnest($1::uuid[], $2::int[]) AS k(d, q)
     JOIN "HeartRateChunk" c ON c."deviceId" = k.d AND c."seqMax" >= k.q AND c."seqMin" <= k.q AND c."hour" >= $3::timestamptz`,
    [arrayLiteral(items.map((item) => item.deviceId)), arrayLiteral(items.map((item) => item.seq)), new Date(Date.now() - RETRY_LOOKBACK_MS).toISOString()],
  );
  for (const row of rows) {
    const segment = decodeHeartRateChunk(Buffer.from(row.data, "hex"), row.hourMs).find((candidate) => candidate.seq === row.seq);
    if (segment) found.set(`heart-rate:${row.deviceId}:${row.seq}`, segment);
  }
  return found;
}
