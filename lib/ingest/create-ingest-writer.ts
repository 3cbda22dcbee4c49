// Server-only. Group commit for device data: batches from many devices queue up and are written
// together in one transaction, so throughput grows with load instead of one commit per batch. A batch
// is acknowledged only after the transaction that holds it has committed. When the queue is full,
// callers are told to retry later (429) instead of the queue growing without bound.
import type { TDb, TTx } from "../db/create-prisma-client";
import { AppError } from "../errors/app-error";
import { getLogger } from "../log/logger";
import { BPM_GAP } from "./batch-schemas";

export type THeartRateItem = {
  kind: "heart-rate";
  deviceId: string;
  patientId: string;
  seq: number;
  startedAtMs: number;
  intervalMs: number;
  bpm: number[];
  activity: number[];
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
  stats(): { queuedSamples: number; queuedBatches: number; flushes: number };
  /** Called after each commit with what was newly stored (not duplicates): live pushes and detection hang here. */
  onStored(listener: TStoredListener): void;
  /** Writes what is queued, then refuses new work. */
  close(): Promise<void>;
};

export type TStoredListener = (stored: TIngestItem[]) => void;

type TPending = { item: TIngestItem; resolve: (ack: TIngestAck) => void; reject: (error: unknown) => void };

const sampleCount = (item: TIngestItem) => (item.kind === "heart-rate" ? item.bpm.length : item.readings.length);
const keyOf = (item: TIngestItem) => `${item.kind}:${item.deviceId}:${item.seq}`;

export function createIngestWriter(options: {
  db: TDb;
  /** Back-pressure threshold: samples waiting to be written. */
  maxQueuedSamples?: number;
  maxBatchesPerFlush?: number;
}): TIngestWriter {
  const { db } = options;
  const maxQueuedSamples = options.maxQueuedSamples ?? 500_000;
  const maxBatchesPerFlush = options.maxBatchesPerFlush ?? 500;
  const logger = getLogger();
  const queue: TPending[] = [];
  let queuedSamples = 0;
  let flushes = 0;
  let flushing: Promise<void> | null = null;
  let closed = false;
  const storedListeners: TStoredListener[] = [];

  const flushLoop = async () => {
    while (queue.length > 0) {
      const group = queue.splice(0, maxBatchesPerFlush);
      const groupSamples = group.reduce((sum, pending) => sum + sampleCount(pending.item), 0);
      const startedAt = performance.now();
      try {
        const { acks, stored } = await db.$transaction((tx) => writeGroup(tx, group.map((pending) => pending.item)), { timeout: 60_000, maxWait: 60_000 });
        queuedSamples -= groupSamples;
        flushes += 1;
        group.forEach((pending, index) => {
          const ack = acks[index]!;
          if (ack instanceof Error) pending.reject(ack);
          else pending.resolve(ack);
        });
        logger.debug({ batches: group.length, samples: groupSamples, ms: Math.round(performance.now() - startedAt) }, "ingest flush");
        if (stored.length > 0) {
          for (const listener of storedListeners) {
            try {
              listener(stored);
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
      }
    }
  };

  // The flush starts on the next turn of the event loop, so every batch that arrived in this turn joins
  // the same transaction (with PGlite a transaction never yields, so starting at once wrote one batch each).
  let isScheduled = false;
  const scheduleFlush = () => {
    if (flushing || isScheduled) return;
    isScheduled = true;
    setImmediate(() => {
      isScheduled = false;
      flushing = flushLoop().finally(() => {
        flushing = null;
        if (queue.length > 0) scheduleFlush();
      });
    });
  };

  return {
    submit(item) {
      if (closed) return Promise.reject(new AppError("UNAVAILABLE", { message: "Server is shutting down; retry", retryAfterS: 2 }));
      const samples = sampleCount(item);
      if (queuedSamples + samples > maxQueuedSamples) {
        return Promise.reject(new AppError("THROTTLED", { message: "Ingest queue is full; retry later", retryAfterS: 1 }));
      }
      queuedSamples += samples;
      return new Promise<TIngestAck>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        scheduleFlush();
      });
    },
    stats: () => ({ queuedSamples, queuedBatches: queue.length, flushes }),
    onStored(listener) {
      storedListeners.push(listener);
    },
    async close() {
      closed = true;
      while (flushing || isScheduled) await (flushing ?? new Promise((resolve) => setImmediate(resolve)));
    },
  };
}

/** Writes one group in one transaction; returns an ack or an error per item, in order. */
async function writeGroup(tx: TTx, items: TIngestItem[]): Promise<{ acks: (TIngestAck | AppError)[]; stored: TIngestItem[] }> {
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

  if (heartRate.length > 0) {
    // One INSERT ... SELECT FROM unnest(...) for the whole group: Prisma's createManyAndReturn spent
    // ~10x the time in its query engine for the same rows (bench:ingest profile). The sample arrays
    // travel as comma-joined text and are cast to smallint[] by PostgreSQL.
    const inserted = await tx.$queryRawUnsafe<{ deviceId: string; seq: number }[]>(
      `INSERT INTO "HeartRateBatch" ("deviceId", "patientId", "seq", "startedAt", "intervalMs", "bpm", "activity")
       SELECT d, p, s, t, i, string_to_array(b, ',')::int2[], string_to_array(a, ',')::int2[]
       FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::timestamptz[], $5::int[], $6::text[], $7::text[]) AS x(d, p, s, t, i, b, a)
       ON CONFLICT ("deviceId", "seq") DO NOTHING
       RETURNING "deviceId", "seq"`,
      heartRate.map(({ item }) => item.deviceId),
      heartRate.map(({ item }) => item.patientId),
      heartRate.map(({ item }) => item.seq),
      heartRate.map(({ item }) => new Date(item.startedAtMs).toISOString()),
      heartRate.map(({ item }) => item.intervalMs),
      heartRate.map(({ item }) => item.bpm.join(",")),
      heartRate.map(({ item }) => item.activity.join(",")),
    );
    const insertedKeys = new Set(inserted.map((row) => `heart-rate:${row.deviceId}:${row.seq}`));
    const fresh = heartRate.filter(({ item }) => insertedKeys.has(keyOf(item)));
    const retried = heartRate.filter(({ item }) => !insertedKeys.has(keyOf(item)));
    for (const { item, index } of fresh) {
      acks[index] = { deviceId: item.deviceId, seq: item.seq, status: "stored", samples: item.bpm.length };
      stored.push(item);
    }
    await upsertMinuteRollups(tx, fresh.map(({ item }) => item));
    if (retried.length > 0) {
      const existing = await tx.heartRateBatch.findMany({
        where: { OR: retried.map(({ item }) => ({ deviceId: item.deviceId, seq: item.seq })) },
        select: { deviceId: true, seq: true, startedAt: true, intervalMs: true, bpm: true, activity: true },
      });
      const existingByKey = new Map(existing.map((row) => [`heart-rate:${row.deviceId}:${row.seq}`, row]));
      for (const { item, index } of retried) {
        const row = existingByKey.get(keyOf(item));
        const isSame =
          row !== undefined &&
          row.startedAt.getTime() === item.startedAtMs &&
          row.intervalMs === item.intervalMs &&
          sameNumbers(row.bpm, item.bpm) &&
          sameNumbers(row.activity, item.activity);
        acks[index] = isSame
          ? { deviceId: item.deviceId, seq: item.seq, status: "duplicate", samples: item.bpm.length }
          : new AppError("CONFLICT", { message: `Sequence number ${item.seq} was already used for different data` });
      }
    }
  }

  if (glucose.length > 0) {
    // Look before inserting, so a device that reuses a sequence number for other readings gets its own
    // 409 without rolling back the other devices' batches in this group.
    const existing = await tx.glucoseReading.findMany({
      where: { OR: glucose.map(({ item }) => ({ deviceId: item.deviceId, seq: item.seq })) },
      select: { deviceId: true, seq: true, measuredAt: true, glucoseMgDl: true },
    });
    const existingByKey = new Map<string, string[]>();
    for (const row of existing) {
      const key = `glucose:${row.deviceId}:${row.seq}`;
      existingByKey.set(key, [...(existingByKey.get(key) ?? []), `${row.measuredAt.getTime()}=${row.glucoseMgDl}`]);
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
      await tx.glucoseReading.createMany({
        data: fresh.flatMap((item) =>
          item.readings.map((reading) => ({
            deviceId: item.deviceId,
            patientId: item.patientId,
            seq: item.seq,
            measuredAt: new Date(reading.measuredAtMs),
            glucoseMgDl: reading.glucoseMgDl,
          })),
        ),
      });
      stored.push(...fresh);
    }
  }

  items.forEach((item, index) => {
    if (acks[index] !== undefined) return;
    const first = acks[firstIndexByKey.get(keyOf(item))!]!;
    acks[index] = first instanceof AppError ? first : { ...first, status: "duplicate" };
  });

  const deviceIds = [...new Set(items.map((item) => item.deviceId))];
  // At most one lastSeenAt write per device every 30 s: a write per batch left dead rows behind at scale,
  // and the stale-device alarm works in minutes.
  await tx.$executeRawUnsafe(
    `UPDATE "Device" SET "lastSeenAt" = now()
     WHERE id = ANY($1::uuid[]) AND ("lastSeenAt" IS NULL OR "lastSeenAt" < now() - interval '30 seconds')`,
    deviceIds,
  );
  return { acks, stored };
}

function sameNumbers(left: number[], right: number[]): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

/** Adds newly stored samples into the per-minute rollups that dashboards read. Gaps are not counted. */
async function upsertMinuteRollups(tx: TTx, items: THeartRateItem[]): Promise<void> {
  const minutes = new Map<string, { patientId: string; minuteMs: number; samples: number; sumBpm: number; minBpm: number; maxBpm: number; sumActivity: number }>();
  for (const item of items) {
    item.bpm.forEach((bpm, index) => {
      if (bpm === BPM_GAP) return;
      const atMs = item.startedAtMs + index * item.intervalMs;
      const minuteMs = atMs - (((atMs % 60_000) + 60_000) % 60_000);
      const key = `${item.patientId}:${minuteMs}`;
      const activity = item.activity[index] ?? 0;
      const minute = minutes.get(key);
      if (minute) {
        minute.samples += 1;
        minute.sumBpm += bpm;
        minute.minBpm = Math.min(minute.minBpm, bpm);
        minute.maxBpm = Math.max(minute.maxBpm, bpm);
        minute.sumActivity += activity;
      } else {
        minutes.set(key, { patientId: item.patientId, minuteMs, samples: 1, sumBpm: bpm, minBpm: bpm, maxBpm: bpm, sumActivity: activity });
      }
    });
  }
  if (minutes.size === 0) return;
  const rows = [...minutes.values()];
  await tx.$executeRawUnsafe(
    `INSERT INTO "HeartRateMinute" ("patientId", "minute", "samples", "sumBpm", "minBpm", "maxBpm", "sumActivity")
     SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::int[], $5::int2[], $6::int2[], $7::int[])
     ON CONFLICT ("patientId", "minute") DO UPDATE SET
       "samples" = "HeartRateMinute"."samples" + EXCLUDED."samples",
       "sumBpm" = "HeartRateMinute"."sumBpm" + EXCLUDED."sumBpm",
       "minBpm" = LEAST("HeartRateMinute"."minBpm", EXCLUDED."minBpm"),
       "maxBpm" = GREATEST("HeartRateMinute"."maxBpm", EXCLUDED."maxBpm"),
       "sumActivity" = "HeartRateMinute"."sumActivity" + EXCLUDED."sumActivity"`,
    rows.map((row) => row.patientId),
    rows.map((row) => new Date(row.minuteMs).toISOString()),
    rows.map((row) => row.samples),
    rows.map((row) => row.sumBpm),
    rows.map((row) => row.minBpm),
    rows.map((row) => row.maxBpm),
    rows.map((row) => row.sumActivity),
  );
}
