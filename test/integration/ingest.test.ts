// Device ingestion over HTTP and the socket namespace: exactly once, durable before the ack, rollups,
// clear refusals, back-pressure, and live pushes only to those allowed to watch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postGlucose } from "@/app/api/devices/[deviceId]/glucose/route";
import { POST as postHeartRate } from "@/app/api/devices/[deviceId]/heart-rate/route";
import type { TDatabase } from "@/lib/db/open-database";
import { createIngestWriter } from "@/lib/ingest/create-ingest-writer";
import { ingestHeartRate } from "@/lib/ingest/ingest-heart-rate";
import { callRoute } from "../helpers/call-route";
import { createDevice, createWorld, signInAs } from "../helpers/factories";
import { connectClient, startTestRealtime } from "../helpers/realtime";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { createTestDatabase } from "../helpers/test-database";

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

function postBatch(device: { id: string }, token: string, body: unknown) {
  return callRoute(postHeartRate, "POST", `/api/devices/${device.id}/heart-rate`, { params: { deviceId: device.id }, bearer: token, body });
}

describe("heart-rate over HTTP", () => {
  it("stores a batch once, acknowledges a retry as a duplicate, and keeps the rollups exact", async () => {
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

    const batches = await db().heartRateBatch.findMany({ where: { deviceId: device.id } });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.bpm).toEqual(bpm);

    const minutes = await db().heartRateMinute.findMany({
      where: { patientId: world.home.patient.id, minute: { in: [startedAt, new Date(startedAt.getTime() + 60_000)] } },
      orderBy: { minute: "asc" },
    });
    const firstMinute = bpm.slice(0, 60).filter((value) => value !== 0);
    expect(minutes.map((row) => row.samples)).toEqual([59, 30]);
    expect(minutes[0]!.sumBpm).toBe(firstMinute.reduce((sum, value) => sum + value, 0));
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
    expect((await db().heartRateBatch.findFirstOrThrow({ where: { deviceId: device.id, seq: 7 } })).bpm).toEqual([70, 70]);
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
    expect(await db().heartRateBatch.count({ where: { deviceId: { in: [device.id, other.device.id] } } })).toBe(0);
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
    expect(await db().heartRateBatch.count({ where: { deviceId: device.id } })).toBe(0);
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
    const writer = createIngestWriter({ db: db(), maxQueuedSamples: 1_000, maxBatchesPerFlush: 5 });
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
    expect(await db().heartRateBatch.count({ where: { deviceId: device.id } })).toBe(accepted.length);
  });
});

describe("heart-rate over the device socket", () => {
  it("acknowledges once stored, then pushes to a watching clinician and not to others", async () => {
    const server = await startTestRealtime({ db: db(), withIngest: true });
    const { device, token } = await newWatch();
    const watcher = await connectClient(server.url, { cookie: (await signInAs(db(), world.home.clinician.id)).cookie });
    const outsider = await connectClient(server.url, { cookie: (await signInAs(db(), world.away.clinician.id)).cookie });
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
      expect(await db().heartRateBatch.count({ where: { deviceId: device.id } })).toBe(1);
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
