// Device ingestion over HTTP and the socket namespace: exactly once, durable before the ack, rollups,
// clear refusals, back-pressure, and live pushes only to those allowed to watch.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postGlucose } from "@/app/api/devices/[deviceId]/glucose/route";
import { POST as postHeartRate } from "@/app/api/devices/[deviceId]/heart-rate/route";
import { parseConfig } from "@/lib/config";
import { applyMigrations, readMigrationFiles } from "@/lib/db/migrate";
import { openDatabase, type TDatabase } from "@/lib/db/open-database";
import { createIngestWriter } from "@/lib/ingest/create-ingest-writer";
import { compactHeartRate } from "@/lib/ingest/compact-heart-rate";
import { ingestHeartRate, ingestHeartRateUpload } from "@/lib/ingest/ingest-heart-rate";
import { getHeartRateMinutes } from "@/lib/patients/get-heart-rate-minutes";
import { callRoute } from "../helpers/call-route";
import { createDevice, createPatient, createWorld, signInAs } from "../helpers/factories";
import { connectClient, connectSignedIn, startTestRealtime } from "../helpers/realtime";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { countStoredBatches, readStoredBatches } from "../helpers/stored-heart-rate";
import { createTestDatabase, MIGRATIONS_DIR } from "../helpers/test-database";

let database: TDatabase;
let world: Awaited<ReturnType<typeof createWorld>>;
const db = () => database.prisma;

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabaseInServerContext(database);
  world = await createWorld(db());
});

afterAll(async () => {
  await database.close();
});

// Minute-aligned, a few minutes ago, so batches are neither in the future nor too old.
const minuteAgo = (minutes: number) => new Date(Math.floor(Date.now() / 60_000) * 60_000 - minutes * 60_000);

async function newWatch() {
  return createDevice(db(), { patientId: world.home.patient.id });
}

async function readMinutes(patientId: string, from: Date, to: Date) {
  const user = await db().patient.findUniqueOrThrow({ where: { id: patientId }, select: { userId: true } });
  const { actor } = await signInAs(db(), user.userId);
  return getHeartRateMinutes({ db: db(), actor, patientId, query: { from: from.toISOString(), to: to.toISOString() } });
}

function postBatch(device: { id: string }, token: string, body: unknown) {
  return callRoute(postHeartRate, "POST", `/api/devices/${device.id}/heart-rate`, { params: { deviceId: device.id }, bearer: token, body });
}

describe("heart-rate over HTTP", () => {
  it("stores a batch once, acknowledges a retry as a duplicate, and reports exact per-minute figures", async () => {
    const { device, token } = await newWatch();
    const startedAt = minuteAgo(10);
    // 90 samples: 60 in the first minute, 30 in the second; one gap (0) that must not be counted.
    const bpm = Array.from({ length: 90 }, (_, index) => (index === 5 ? 0 : 60 + (index % 10)));
    const body = { seq: 1, startedAt: startedAt.toISOString(), intervalMs: 1000, bpm, activity: bpm.map(() => 3) };

    const first = await postBatch(device, token, body);
    expect(first.status).toBe(200);
    expect(first.json.ack).toEqual({ deviceId: device.id, seq: 1, status: "stored", samples: 90 });

    const retry = await postBatch(device, token, body);
    expect(retry.status).toBe(200);
    expect(retry.json.ack).toMatchObject({ status: "duplicate" });

    const batches = await readStoredBatches(db(), { deviceId: device.id });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.bpm).toEqual(bpm);

    const minutes = await readMinutes(world.home.patient.id, startedAt, new Date(startedAt.getTime() + 120_000));
    const firstMinute = bpm.slice(0, 60).filter((value) => value !== 0);
    expect(minutes.map((row) => row.samples)).toEqual([59, 30]);
    expect(minutes[0]!.meanBpm).toBe(Math.round((firstMinute.reduce((sum, value) => sum + value, 0) / 59) * 10) / 10);
    expect(minutes[0]!.minBpm).toBe(Math.min(...firstMinute));
    expect((await db().device.findUniqueOrThrow({ where: { id: device.id } })).lastSeenAt).not.toBeNull();
  });

  it("refuses a reused sequence number with different data (409) and keeps the original", async () => {
    const { device, token } = await newWatch();
    const startedAt = minuteAgo(20).toISOString();
    expect((await postBatch(device, token, { seq: 7, startedAt, intervalMs: 1000, bpm: [70, 70] })).status).toBe(200);
    const conflict = await postBatch(device, token, { seq: 7, startedAt, intervalMs: 1000, bpm: [90, 90] });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error?.code).toBe("CONFLICT");
    expect((await readStoredBatches(db(), { deviceId: device.id })).map((batch) => batch.bpm)).toEqual([[70, 70]]);
  });

  it("refuses a token used for another device, and a watch sending glucose", async () => {
    const { device } = await newWatch();
    const other = await newWatch();
    const body = { seq: 1, startedAt: minuteAgo(5).toISOString(), intervalMs: 1000, bpm: [70] };
    const forged = await postBatch(device, other.token, body);
    expect(forged.status).toBe(403);
    const glucose = await callRoute(postGlucose, "POST", `/api/devices/${other.device.id}/glucose`, {
      params: { deviceId: other.device.id },
      bearer: other.token,
      body: { seq: 1, readings: [{ measuredAt: minuteAgo(5).toISOString(), glucoseMgDl: 100 }] },
    });
    expect(glucose.status).toBe(403);
    expect(await countStoredBatches(db(), { deviceId: device.id })).toBe(0);
    expect(await countStoredBatches(db(), { deviceId: other.device.id })).toBe(0);
  });

  it("refuses samples in the future or older than a week, naming the field", async () => {
    const { device, token } = await newWatch();
    const future = await postBatch(device, token, { seq: 1, startedAt: new Date(Date.now() + 10 * 60_000).toISOString(), intervalMs: 1000, bpm: [70] });
    expect(future.status).toBe(422);
    expect(future.json.error?.fields?.[0]?.path).toBe("startedAt");
    const old = await postBatch(device, token, { seq: 2, startedAt: new Date(Date.now() - 8 * 24 * 3_600_000).toISOString(), intervalMs: 1000, bpm: [70] });
    expect(old.status).toBe(422);
    // A long batch whose end crosses into the future is refused even though it starts in the past.
    const crossing = await postBatch(device, token, { seq: 3, startedAt: new Date(Date.now() - 60_000).toISOString(), intervalMs: 1000, bpm: Array(600).fill(70) });
    expect(crossing.status).toBe(422);
    expect(await countStoredBatches(db(), { deviceId: device.id })).toBe(0);
  });
});

describe("heart-rate uploads of several batches", () => {
  // Ten-second batches, as a watch's offline buffer holds them, starting `minutes` ago.
  const buffered = (seqs: number[], minutes: number, bpm = 70) =>
    seqs.map((seq, index) => ({ seq, startedAt: new Date(minuteAgo(minutes).getTime() + index * 10_000).toISOString(), intervalMs: 1000, bpm: Array(10).fill(bpm + index) }));

  it("stores each batch once by its own seq and answers per batch: a resent upload is duplicates, a reused seq is refused alone", async () => {
    const { device, token } = await newWatch();
    const first = await postBatch(device, token, { batches: buffered([1, 2, 3], 30) });
    expect(first.status).toBe(200);
    expect(first.json.results).toEqual([1, 2, 3].map((seq) => ({ deviceId: device.id, seq, status: "stored", samples: 10 })));

    // The watch did not get the answer and sends its buffer again, now with a fourth batch and seq 2 reused for other data.
    const again = buffered([1, 2, 3, 4], 30);
    again[1] = { ...again[1]!, bpm: Array(10).fill(99) };
    const second = await postBatch(device, token, { batches: again });
    expect(second.status).toBe(200);
    expect((second.json.results as { status?: string; error?: { code: string } }[]).map((result) => result.status ?? result.error?.code)).toEqual(["duplicate", "CONFLICT", "duplicate", "stored"]);
    const stored = await readStoredBatches(db(), { deviceId: device.id });
    expect(stored.map((batch) => [batch.seq, batch.bpm[0]])).toEqual([
      [1, 70],
      [2, 71],
      [3, 72],
      [4, 73],
    ]);
  });

  it("refuses the whole upload for one bad batch, naming it, and stores nothing", async () => {
    const { device, token } = await newWatch();
    const cases: [unknown, string][] = [
      [{ batches: buffered([1, 2, 3], 30).map((batch, index) => (index === 1 ? { ...batch, bpm: [70, 300] } : batch)) }, "batches.1.bpm.1"],
      [{ batches: [...buffered([1, 2], 30), { ...buffered([3], 30)[0]!, startedAt: new Date(Date.now() + 3_600_000).toISOString() }] }, "batches.2.startedAt"],
      [{ batches: buffered([5, 6, 5], 30) }, "batches.2.seq"],
      [{ batches: buffered(Array.from({ length: 361 }, (_, seq) => seq), 90) }, "batches"],
      [{ batches: [{ seq: 1, startedAt: minuteAgo(30).toISOString(), intervalMs: 1000, bpm: Array(3_600).fill(70) }, ...buffered([2], 20)] }, "batches"],
      [{ batches: [] }, "batches"],
      [{ batches: buffered([1], 30), extra: true }, "extra"],
    ];
    for (const [body, path] of cases) {
      const response = await postBatch(device, token, body);
      expect(response.status, path).toBe(422);
      expect(response.json.error?.fields?.map((field: { path: string }) => field.path), path).toContain(path);
    }
    expect(await countStoredBatches(db(), { deviceId: device.id })).toBe(0);
  });

  it("is refused as a whole (THROTTLED) when the queue has no room for all of it, and queued whole otherwise", async () => {
    const { device, actor } = await newPatientWatch();
    const writer = createIngestWriter({ database, maxQueuedSamples: 25, compactEveryMs: 0 });
    try {
      // 30 samples: more than the queue holds, although its first two batches would fit.
      await expect(ingestHeartRateUpload({ writer, actor, deviceId: device.id, batches: buffered([1, 2, 3], 30) })).rejects.toMatchObject({ code: "THROTTLED", retryAfterS: 1 });
      expect(writer.stats().queuedSamples).toBe(0);
      const { results } = await ingestHeartRateUpload({ writer, actor, deviceId: device.id, batches: buffered([1, 2], 30) });
      expect(results.map((result) => result.status)).toEqual(["stored", "stored"]);
    } finally {
      await writer.close();
    }
    expect(await countStoredBatches(db(), { deviceId: device.id })).toBe(2);
  });

  it("goes over the device socket as heart-rate:batches with the same rules", async () => {
    const server = await startTestRealtime({ db: db(), withIngest: database });
    const { device, token } = await newWatch();
    const watch = await connectClient(server.url, { namespace: "/device", token });
    try {
      const batches = buffered([1, 2], 20);
      expect(await watch.emitWithAck("heart-rate:batches", { batches })).toEqual({
        ok: true,
        data: { results: [1, 2].map((seq) => ({ deviceId: device.id, seq, status: "stored", samples: 10 })) },
      });
      const bad = await watch.emitWithAck("heart-rate:batches", { batches: [...buffered([3], 20), { ...batches[0], intervalMs: 5 }] });
      expect(bad).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
      expect(bad.error.fields.map((field: { path: string }) => field.path)).toEqual(["batches.1.intervalMs"]);
      expect(await countStoredBatches(db(), { deviceId: device.id })).toBe(2);
    } finally {
      watch.close();
      await server.close();
    }
  });
});

/** A new patient with a watch, and the device actor the watch's token authenticates as. */
async function newPatientWatch() {
  const { patient } = await createPatient(db(), { hospitalId: world.home.hospital.id });
  const { device, token } = await createDevice(db(), { patientId: patient.id });
  const actor = { kind: "device" as const, deviceId: device.id, deviceKind: "WATCH" as const, patientId: patient.id, hospitalId: world.home.hospital.id };
  return { patient, device, token, actor };
}

describe("heart-rate compaction", () => {
  it("folds staged batches into hourly chunks: the same samples, retries still duplicates, reused seqs still 409", async () => {
    const { patient, device, token } = await newPatientWatch();
    const startedAt = minuteAgo(150);
    // Three hours' worth in 10-minute batches that cross hour boundaries, with gaps and activity.
    const sent = Array.from({ length: 9 }, (_, index) => {
      const bpm = Array.from({ length: 600 }, (_, sample) => (sample % 97 === 3 ? 0 : 55 + ((sample * 7 + index * 13) % 60)));
      return { seq: 100 + index, startedAt: new Date(startedAt.getTime() + index * 600_000 + 7).toISOString(), intervalMs: 1000, bpm, activity: bpm.map((_, sample) => (sample * 31) % 10_001) };
    });
    for (const body of sent.slice(0, 6)) expect((await postBatch(device, token, body)).status).toBe(200);
    const minutesBefore = await readMinutes(patient.id, startedAt, new Date());

    const result = await compactHeartRate({ db: db() });
    expect(result.batches).toBeGreaterThanOrEqual(6);
    const stored = await readStoredBatches(db(), { deviceId: device.id });
    expect(stored.every((batch) => batch.compacted)).toBe(true);
    expect(stored.map(({ seq, startedAtMs, intervalMs, bpm, activity }) => ({ seq, startedAt: new Date(startedAtMs).toISOString(), intervalMs, bpm, activity }))).toEqual(sent.slice(0, 6));
    expect(await readMinutes(patient.id, startedAt, new Date())).toEqual(minutesBefore);

    // A retry of a compacted batch is acknowledged again and not stored twice; other data under its seq is refused.
    const retry = await postBatch(device, token, sent[2]);
    expect(retry.json.ack).toMatchObject({ status: "duplicate", samples: 600 });
    const conflict = await postBatch(device, token, { ...sent[2]!, bpm: sent[2]!.bpm.map((value) => (value === 0 ? 0 : value + 1)) });
    expect(conflict.status).toBe(409);
    const moved = await postBatch(device, token, { ...sent[2]!, startedAt: minuteAgo(15).toISOString() });
    expect(moved.status).toBe(409);

    // Later batches land in staging, then merge into the chunks already written; the reader sees both homes meanwhile.
    for (const body of sent.slice(6)) expect((await postBatch(device, token, body)).status).toBe(200);
    expect((await readStoredBatches(db(), { deviceId: device.id })).map((batch) => batch.compacted)).toEqual([true, true, true, true, true, true, false, false, false]);
    await compactHeartRate({ db: db() });
    const all = await readStoredBatches(db(), { deviceId: device.id });
    expect(all.map((batch) => batch.seq)).toEqual(sent.map((body) => body.seq));
    expect(all.map((batch) => batch.bpm)).toEqual(sent.map((body) => body.bpm));
  });

  it("stores a late batch (a watch draining hours of buffer) once, merging it into an hour already compacted", async () => {
    const { device, token } = await newPatientWatch();
    const hourStart = new Date(Math.floor((Date.now() - 5 * 3_600_000) / 3_600_000) * 3_600_000);
    const at = (minutes: number) => new Date(hourStart.getTime() + minutes * 60_000).toISOString();
    const batch = (seq: number, minute: number, bpm: number) => ({ seq, startedAt: at(minute), intervalMs: 1000, bpm: Array(60).fill(bpm) });
    expect((await postBatch(device, token, batch(1, 0, 60))).status).toBe(200);
    expect((await postBatch(device, token, batch(3, 30, 62))).status).toBe(200);
    await compactHeartRate({ db: db() });
    // seq 2 was buffered on the watch and arrives hours late, between two compacted batches of its hour.
    expect((await postBatch(device, token, batch(2, 15, 61))).json.ack).toMatchObject({ status: "stored" });
    expect((await postBatch(device, token, batch(2, 15, 61))).json.ack).toMatchObject({ status: "duplicate" });
    await compactHeartRate({ db: db() });
    expect((await postBatch(device, token, batch(2, 15, 61))).json.ack).toMatchObject({ status: "duplicate" });
    expect((await postBatch(device, token, batch(2, 15, 99))).status).toBe(409);
    const chunks = await db().heartRateChunk.findMany({ where: { deviceId: device.id } });
    expect(chunks.map((chunk) => ({ hour: chunk.hour.toISOString(), seqMin: chunk.seqMin, seqMax: chunk.seqMax, batches: chunk.batches, readings: chunk.readings }))).toEqual([
      { hour: hourStart.toISOString(), seqMin: 1, seqMax: 3, batches: 3, readings: 180 },
    ]);
    expect((await readStoredBatches(db(), { deviceId: device.id })).map((stored) => [stored.seq, stored.bpm[0]])).toEqual([
      [1, 60],
      [2, 61],
      [3, 62],
    ]);
  });
});

describe("a drained backlog", () => {
  it("is written in groups of at most maxSamplesPerFlush samples, each batch stored once and acknowledged", async () => {
    const { device, actor } = await newPatientWatch();
    const writer = createIngestWriter({ database, maxSamplesPerFlush: 1_000, compactEveryMs: 0 });
    // Ten 10-minute batches (600 samples each), as a watch sends its offline buffer on reconnect.
    const startedAtMs = Date.now() - 3 * 3_600_000;
    const batch = (seq: number) => ({ seq, startedAt: new Date(startedAtMs + seq * 600_000).toISOString(), intervalMs: 1000, bpm: Array.from({ length: 600 }, (_, index) => 60 + ((seq + index) % 40)) });
    try {
      const acks = await Promise.all(Array.from({ length: 10 }, (_, seq) => ingestHeartRate({ writer, actor, deviceId: device.id, batch: batch(seq) })));
      expect(acks.map((ack) => ack.status)).toEqual(Array(10).fill("stored"));
      // 600 + 600 > 1,000: one batch per group.
      expect(writer.stats().flushes).toBe(10);
    } finally {
      await writer.close();
    }
    expect((await readStoredBatches(db(), { deviceId: device.id })).map((entry) => entry.seq)).toEqual(Array.from({ length: 10 }, (_, seq) => seq));
  });
});

/**
 * The test database with each group commit held 30 ms longer than it needs, recording the flushes in
 * flight at once and whether two of them ever wrote the same device. (Counted around the transaction:
 * PGlite runs one at a time underneath, PostgreSQL both at once.)
 */
function slowCommits() {
  const inFlight = new Set<Set<string>>();
  const seen = { mostInFlight: 0, sharedDevice: false };
  const slow: typeof database = {
    ...database,
    transaction: async (fn) => {
      const devices = new Set<string>();
      inFlight.add(devices);
      seen.mostInFlight = Math.max(seen.mostInFlight, inFlight.size);
      try {
        return await database.transaction(async (sql) => {
          const result = await fn({
            query: (text, params) => {
              if (text.includes('INSERT INTO "HeartRateStagedBatch"')) {
                // The device ids go as an array literal, "{id,id}".
                for (const deviceId of String(params![0]).slice(1, -1).split(",")) devices.add(deviceId);
                for (const other of inFlight) if (other !== devices && [...devices].some((deviceId) => other.has(deviceId))) seen.sharedDevice = true;
              }
              return sql.query(text, params);
            },
          });
          await new Promise((resolve) => setTimeout(resolve, 30));
          return result;
        });
      } finally {
        inFlight.delete(devices);
      }
    },
  };
  return { slow, seen };
}

describe("concurrent group commits", () => {
  const startedAtMs = Date.now() - 3_600_000;
  const batch = (seq: number) => ({ seq, startedAt: new Date(startedAtMs + seq * 10_000).toISOString(), intervalMs: 1000, bpm: Array.from({ length: 10 }, () => 70) });

  it("keeps two flushes in flight under a backlog, never with the same device in both, and commits each device's batches in order", async () => {
    const watches = await Promise.all(Array.from({ length: 4 }, async () => (await newPatientWatch()).actor));
    const { slow, seen } = slowCommits();
    // Groups of at most 30 samples: the 200 queued below are worth a second flush.
    const writer = createIngestWriter({ database: slow, maxConcurrentFlushes: 2, maxBatchesPerFlush: 3, maxSamplesPerFlush: 40, compactEveryMs: 0 });
    const committed = new Map<string, number[]>();
    writer.onStored((stored) => {
      for (const item of stored) committed.set(item.deviceId, [...(committed.get(item.deviceId) ?? []), item.seq]);
    });
    try {
      // Each watch sends five batches without waiting for acks (an offline buffer draining), all at once.
      const acks = await Promise.all(watches.flatMap((actor) => Array.from({ length: 5 }, (_, seq) => ingestHeartRate({ writer, actor, deviceId: actor.deviceId, batch: batch(seq) }))));
      expect(acks.every((ack) => ack.status === "stored")).toBe(true);
    } finally {
      await writer.close();
    }
    expect(seen.mostInFlight).toBe(2);
    expect(seen.sharedDevice).toBe(false);
    for (const actor of watches) expect(committed.get(actor.deviceId)).toEqual([0, 1, 2, 3, 4]);
  });

  it("starts a second flush only for a group worth its commit: live batches arriving during a commit wait and go together", async () => {
    const watches = await Promise.all(Array.from({ length: 6 }, async () => (await newPatientWatch()).actor));
    const { slow, seen } = slowCommits();
    const writer = createIngestWriter({ database: slow, maxConcurrentFlushes: 2, compactEveryMs: 0 });
    const send = (actor: (typeof watches)[number]) => ingestHeartRate({ writer, actor, deviceId: actor.deviceId, batch: batch(1) });
    try {
      const first = send(watches[0]!);
      await new Promise((resolve) => setTimeout(resolve, 10));
      // Five more watches while the first commit is in flight: 50 samples, far from a group worth a second commit.
      const acks = await Promise.all([first, ...watches.slice(1).map(send)]);
      expect(acks.every((ack) => ack.status === "stored")).toBe(true);
      expect(writer.stats().flushes).toBe(2);
    } finally {
      await writer.close();
    }
    expect(seen.mostInFlight).toBe(1);
  });
});

describe("live batches during a backlog drain", () => {
  it("are written before the backlog queued ahead of them, and every batch is still stored once", async () => {
    const { device, actor } = await newPatientWatch();
    const writer = createIngestWriter({ database, maxSamplesPerFlush: 1_000, compactEveryMs: 0 });
    const backlogStartMs = Date.now() - 5 * 3_600_000;
    const old = (seq: number) => ({ seq, startedAt: new Date(backlogStartMs + seq * 600_000).toISOString(), intervalMs: 1000, bpm: Array.from({ length: 600 }, () => 70) });
    const live = { seq: 100, startedAt: new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000).toISOString(), intervalMs: 1000, bpm: Array.from({ length: 10 }, () => 150) };
    const order: number[] = [];
    const send = (batch: { seq: number; startedAt: string; intervalMs: number; bpm: number[] }) =>
      ingestHeartRate({ writer, actor, deviceId: device.id, batch }).then((ack) => {
        order.push(ack.seq);
        return ack;
      });
    try {
      // Six 10-minute batches of history queued first, the live 10 s batch last, all in one turn.
      const acks = await Promise.all([...Array.from({ length: 6 }, (_, seq) => send(old(seq))), send(live)]);
      expect(acks.every((ack) => ack.status === "stored")).toBe(true);
      // The live batch rode in the first group (with the oldest backlog batch); the rest followed one per group.
      expect(order.indexOf(100)).toBeLessThan(2);
    } finally {
      await writer.close();
    }
    expect((await readStoredBatches(db(), { deviceId: device.id })).map((entry) => entry.seq).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 100]);
  });
});

describe("heart-rate retries racing the compactor", () => {
  it("answers every retry as a duplicate and stores each batch once while compaction runs", async () => {
    const { device, actor } = await newPatientWatch();
    const writer = createIngestWriter({ database, maxBatchesPerFlush: 20, compactEveryMs: 0 });
    const startedAtMs = Date.now() - 3 * 3_600_000;
    const batch = (seq: number) => ({ seq, startedAt: new Date(startedAtMs + seq * 10_000).toISOString(), intervalMs: 1000, bpm: Array.from({ length: 10 }, (_, index) => 60 + ((seq + index) % 40)) });
    const seqs = Array.from({ length: 200 }, (_, seq) => seq);
    try {
      const first = await Promise.all(seqs.map((seq) => ingestHeartRate({ writer, actor, deviceId: device.id, batch: batch(seq) })));
      expect(first.every((ack) => ack.status === "stored")).toBe(true);
      const [retries] = await Promise.all([
        Promise.all(seqs.map((seq) => ingestHeartRate({ writer, actor, deviceId: device.id, batch: batch(seq) }))),
        compactHeartRate({ db: db(), maxBatchesPerTransaction: 50 }),
      ]);
      expect(retries.map((ack) => ack.status)).toEqual(seqs.map(() => "duplicate"));
    } finally {
      await writer.close();
    }
    await compactHeartRate({ db: db() });
    const stored = await readStoredBatches(db(), { deviceId: device.id });
    expect(stored.map((entry) => entry.seq)).toEqual(seqs);
    expect(stored.every((entry) => entry.compacted)).toBe(true);
  });
});

describe("the compact_heart_rate_storage migration", () => {
  it("moves batches stored in the old layout into staging, where they read back, compact, and still catch retries", { timeout: 120_000 }, async () => {
    const all = await readMigrationFiles(MIGRATIONS_DIR);
    const index = all.findIndex((file) => file.name.endsWith("_compact_heart_rate_storage"));
    const before = await mkdtemp(path.join(os.tmpdir(), "pulseguard-pre-compaction-"));
    for (const file of all.slice(0, index)) {
      await mkdir(path.join(before, file.name));
      await writeFile(path.join(before, file.name, "migration.sql"), file.sql);
    }
    const legacy = await openDatabase({ dataDir: "memory" });
    try {
      await legacy.withRawConnection((connection) => applyMigrations({ connection, migrationsDir: before }));
      const legacyWorld = await createWorld(legacy.prisma);
      const { device } = await createDevice(legacy.prisma, { patientId: legacyWorld.home.patient.id });
      const startedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
      await legacy.withRawConnection((connection) =>
        connection.query(
          `INSERT INTO "HeartRateBatch" ("deviceId", "patientId", "seq", "startedAt", "intervalMs", "bpm", "activity")
           VALUES ($1, $2, 4, $3, 1000, '{0,25,250,71}', '{0,255,256,10000}'), ($1, $2, 5, $4, 1000, '{72}', '{3}')`,
          [device.id, legacyWorld.home.patient.id, startedAt.toISOString(), new Date(startedAt.getTime() + 4_000).toISOString()],
        ),
      );
      await legacy.withRawConnection((connection) => applyMigrations({ connection, migrationsDir: MIGRATIONS_DIR }));
      const expected = [
        { seq: 4, startedAtMs: startedAt.getTime(), intervalMs: 1000, bpm: [0, 25, 250, 71], activity: [0, 255, 256, 10_000] },
        { seq: 5, startedAtMs: startedAt.getTime() + 4_000, intervalMs: 1000, bpm: [72], activity: [3] },
      ];
      const read = async () => (await readStoredBatches(legacy.prisma, { deviceId: device.id })).map(({ seq, startedAtMs, intervalMs, bpm, activity }) => ({ seq, startedAtMs, intervalMs, bpm, activity }));
      expect(await read()).toEqual(expected);
      await compactHeartRate({ db: legacy.prisma });
      expect(await read()).toEqual(expected);
      const writer = createIngestWriter({ database: legacy, compactEveryMs: 0 });
      try {
        const item = { kind: "heart-rate" as const, deviceId: device.id, patientId: legacyWorld.home.patient.id, ...expected[0]! };
        expect(await writer.submit(item)).toMatchObject({ status: "duplicate" });
        await expect(writer.submit({ ...item, bpm: [0, 25, 250, 72] })).rejects.toMatchObject({ code: "CONFLICT" });
      } finally {
        await writer.close();
      }
    } finally {
      await legacy.close();
      await rm(before, { recursive: true, force: true });
    }
  });
});

describe("glucose over HTTP", () => {
  it("stores CGM readings once and treats a resend as a duplicate", async () => {
    const { device, token } = await createDevice(db(), { patientId: world.home.patient.id, kind: "CGM" });
    const readings = [0, 5, 10].map((minutes) => ({ measuredAt: minuteAgo(30 - minutes).toISOString(), glucoseMgDl: 100 + minutes }));
    const send = () =>
      callRoute(postGlucose, "POST", `/api/devices/${device.id}/glucose`, { params: { deviceId: device.id }, bearer: token, body: { seq: 1, readings } });
    expect((await send()).json.ack).toMatchObject({ status: "stored", samples: 3 });
    expect((await send()).json.ack).toMatchObject({ status: "duplicate" });
    expect(await db().glucoseReading.count({ where: { deviceId: device.id } })).toBe(3);
  });
});

describe("the write queue", () => {
  it("answers 429 with a retry time when full, and stores every batch it accepted", async () => {
    const { device } = await newWatch();
    const actor = { kind: "device" as const, deviceId: device.id, deviceKind: "WATCH" as const, patientId: world.home.patient.id, hospitalId: world.home.hospital.id };
    const writer = createIngestWriter({ database, maxQueuedSamples: 1_000, maxBatchesPerFlush: 5, compactEveryMs: 0 });
    const startedAt = minuteAgo(60).toISOString();
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, seq) =>
        ingestHeartRate({ writer, actor, deviceId: device.id, batch: { seq, startedAt, intervalMs: 1000, bpm: Array(100).fill(72) } }),
      ),
    );
    await writer.close();
    const accepted = results.filter((result) => result.status === "fulfilled");
    const refused = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const result of refused) expect(result.reason).toMatchObject({ code: "THROTTLED", retryAfterS: 1 });
    expect(await countStoredBatches(db(), { deviceId: device.id })).toBe(accepted.length);
  });
});

describe("heart-rate over the device socket", () => {
  it("acknowledges once stored, then pushes to a watching clinician and not to others", async () => {
    const server = await startTestRealtime({ db: db(), withIngest: database });
    const { device, token } = await newWatch();
    const watcher = await connectSignedIn(server.url, db(), world.home.clinician.id);
    const outsider = await connectSignedIn(server.url, db(), world.away.clinician.id);
    const watch = await connectClient(server.url, { namespace: "/device", token });
    try {
      expect(await watcher.emitWithAck("patient:watch", { patientId: world.home.patient.id })).toMatchObject({ ok: true });
      expect(await outsider.emitWithAck("patient:watch", { patientId: world.home.patient.id })).toMatchObject({ ok: false });
      let outsiderGot = 0;
      outsider.on("patient:heart-rate", () => (outsiderGot += 1));
      const pushed = new Promise<{ bpm: number[] }>((resolve) => watcher.once("patient:heart-rate", resolve));

      const batch = { seq: 1, startedAt: minuteAgo(3).toISOString(), intervalMs: 1000, bpm: [80, 81, 82] };
      const ack = await watch.emitWithAck("heart-rate:batch", batch);
      expect(ack).toEqual({ ok: true, data: { deviceId: device.id, seq: 1, status: "stored", samples: 3 } });
      expect(await countStoredBatches(db(), { deviceId: device.id })).toBe(1);
      expect((await pushed).bpm).toEqual([80, 81, 82]);

      const bad = await watch.emitWithAck("heart-rate:batch", { ...batch, seq: -1, extra: 1 });
      expect(bad).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
      expect(bad.error.fields.map((field: { path: string }) => field.path).sort()).toEqual(["extra", "seq"]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(outsiderGot).toBe(0);
    } finally {
      watcher.close();
      outsider.close();
      watch.close();
      await server.close();
    }
  });
});

const redisUrl = parseConfig(process.env).REDIS_URL;

describe.skipIf(!redisUrl)("live heart rate across instances through Redis", () => {
  it("reaches a clinician connected to instance B when the watch uploads to instance A, where nobody watches", async () => {
    const instanceA = await startTestRealtime({ db: db(), redisUrl, withIngest: database });
    const instanceB = await startTestRealtime({ db: db(), redisUrl });
    const { token } = await newWatch();
    const watcherOnB = await connectSignedIn(instanceB.url, db(), world.home.clinician.id);
    const watch = await connectClient(instanceA.url, { namespace: "/device", token });
    try {
      expect(await watcherOnB.emitWithAck("patient:watch", { patientId: world.home.patient.id })).toMatchObject({ ok: true });
      const pushed = new Promise<{ bpm: number[] }>((resolve) => watcherOnB.once("patient:heart-rate", resolve));
      const batch = { seq: 1, startedAt: minuteAgo(2).toISOString(), intervalMs: 1000, bpm: [90, 91] };
      expect(await watch.emitWithAck("heart-rate:batches", { batches: [batch] })).toMatchObject({ ok: true });
      expect((await pushed).bpm).toEqual([90, 91]);
    } finally {
      watcherOnB.close();
      watch.close();
      await instanceA.close();
      await instanceB.close();
    }
  });
});

describe("heart-rate compaction on a busy server", () => {
  it("yields to the event loop between its transactions, so sockets and alert pushes wait for one transaction, not the run", async () => {
    const { device, actor } = await newPatientWatch();
    const writer = createIngestWriter({ database, compactEveryMs: 0 });
    const startedAtMs = Date.now() - 2 * 3_600_000;
    try {
      const seqs = Array.from({ length: 200 }, (_, seq) => seq + 1);
      await Promise.all(
        seqs.map((seq) =>
          ingestHeartRate({ writer, actor, deviceId: device.id, batch: { seq, startedAt: new Date(startedAtMs + seq * 10_000).toISOString(), intervalMs: 1000, bpm: Array.from({ length: 10 }, () => 70) } }),
        ),
      );
    } finally {
      await writer.close();
    }
    // Turns of the event loop while compaction runs: on PGlite a chain of awaited queries gives none.
    let turns = 0;
    let isRunning = true;
    const turn = () => {
      if (!isRunning) return;
      turns += 1;
      setImmediate(turn);
    };
    setImmediate(turn);
    const result = await compactHeartRate({ db: db(), maxBatchesPerTransaction: 50 });
    isRunning = false;
    expect(result.transactions).toBeGreaterThanOrEqual(4);
    expect(turns).toBeGreaterThanOrEqual(result.transactions - 1);
    expect((await readStoredBatches(db(), { deviceId: device.id })).every((batch) => batch.compacted)).toBe(true);
  });
});
