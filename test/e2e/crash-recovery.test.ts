// The crash test: many virtual devices stream to the real server process, which is killed with SIGKILL
// mid-stream and restarted on the same address. The devices' retries complete, and the database then
// holds every sample exactly once: per device, the sample count and an order-sensitive checksum of
// (time, bpm) match what the simulator generated. On PGlite always; on PostgreSQL when DATABASE_URL is set.
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config";
import { applyMigrations } from "@/lib/db/migrate";
import { compactHeartRate } from "@/lib/ingest";
import { openDatabase, type TDatabase } from "@/lib/db/open-database";
import { runCohort, type TCohortDevice, type TCohortSummary } from "@/workers/simulator/run-cohort";
import { createScratchDatabase, type TScratchDatabase } from "../helpers/db-admin";
import { createDevice, createHospital, createPatient } from "../helpers/factories";
import { cleanUpServerProcesses, createTempDataDir, findFreePort, startServerProcess, waitForUrl } from "../helpers/server-process";
import { checksumStoredHeartRate } from "../helpers/stored-heart-rate";
import { MIGRATIONS_DIR } from "../helpers/test-database";

const WATCHES = 24;
const scratch: TScratchDatabase[] = [];

afterAll(async () => {
  cleanUpServerProcesses();
  for (const database of scratch) await database.drop().catch(() => undefined);
});

async function prepareDevices(database: TDatabase): Promise<TCohortDevice[]> {
  await database.withRawConnection((connection) => applyMigrations({ connection, migrationsDir: MIGRATIONS_DIR }));
  const hospital = await createHospital(database.prisma);
  const devices: TCohortDevice[] = [];
  for (let index = 0; index < WATCHES; index += 1) {
    const { patient } = await createPatient(database.prisma, { hospitalId: hospital.id });
    const { device, token } = await createDevice(database.prisma, { patientId: patient.id });
    devices.push({ deviceId: device.id, token, kind: "WATCH", patientId: patient.id });
  }
  return devices;
}

async function verifyExactlyOnce(database: TDatabase, summary: TCohortSummary) {
  const mismatches: string[] = [];
  for (const device of summary.devices) {
    // Reads staged batches and compacted chunks alike.
    const stored = await checksumStoredHeartRate(database.prisma, device.deviceId);
    if (stored.count !== device.sentSamples || stored.checksum !== device.checksum) {
      mismatches.push(`${device.deviceId}: sent ${device.sentSamples}/${device.checksum}, stored ${stored.count}/${stored.checksum}`);
    }
  }
  return mismatches;
}

async function crashMidStream(options: { dataDir: string; databaseUrl?: string; devices: TCohortDevice[] }) {
  const port = await findFreePort();
  const first = startServerProcess({ dataDir: options.dataDir, port, databaseUrl: options.databaseUrl });
  const url = await waitForUrl(first);
  // Half the watches over HTTP, half over the device socket: both paths must survive the crash.
  const durationSimMs = 30 * 60_000;
  const cohortOptions = { baseUrl: url, speedup: 150, durationSimMs, seed: "crash-test", batchSeconds: 10 };
  const half = Math.floor(options.devices.length / 2);
  const overHttp = runCohort({ ...cohortOptions, devices: options.devices.slice(0, half), transport: "http" });
  const overSocket = runCohort({ ...cohortOptions, devices: options.devices.slice(half), transport: "socket" });

  // Kill once a good part of the stream is in, while batches are in flight.
  const deadline = Date.now() + 60_000;
  while (overHttp.summary().totals.stored + overSocket.summary().totals.stored < options.devices.length * 30 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  first.child.kill("SIGKILL");
  await first.exited;
  const storedBeforeCrash = overHttp.summary().totals.stored + overSocket.summary().totals.stored;
  await new Promise((resolve) => setTimeout(resolve, 1_500));

  const second = startServerProcess({ dataDir: options.dataDir, port, databaseUrl: options.databaseUrl });
  await waitForUrl(second);
  const [httpSummary, socketSummary] = await Promise.all([overHttp.done, overSocket.done]);
  second.child.kill("SIGTERM");
  expect(await second.exited).toBe(0);
  return { storedBeforeCrash, summaries: [httpSummary, socketSummary] };
}

describe("crash recovery", () => {
  it("keeps every sample exactly once on PGlite after a SIGKILL mid-stream", { timeout: 300_000 }, async () => {
    const dataDir = createTempDataDir();
    const setup = await openDatabase({ dataDir });
    const devices = await prepareDevices(setup);
    await setup.close();

    const { storedBeforeCrash, summaries } = await crashMidStream({ dataDir, devices });
    expect(storedBeforeCrash).toBeGreaterThan(0);
    for (const summary of summaries) {
      expect(summary.devices.flatMap((device) => (device.lastRejection ? [device.lastRejection] : []))).toEqual([]);
      expect(summary.totals.rejected).toBe(0);
      expect(summary.totals.dropped).toBe(0);
      expect(summary.totals.ackedSamples).toBe(summary.totals.sentSamples);
    }
    expect(summaries.reduce((total, summary) => total + summary.totals.retries, 0)).toBeGreaterThan(0);

    const check = await openDatabase({ dataDir });
    try {
      expect(await verifyExactlyOnce(check, summaries[0]!)).toEqual([]);
      expect(await verifyExactlyOnce(check, summaries[1]!)).toEqual([]);
      // Whatever the servers left staged is folded into hourly chunks: still every sample exactly once.
      await compactHeartRate({ db: check.prisma });
      expect(await verifyExactlyOnce(check, summaries[0]!)).toEqual([]);
      expect(await verifyExactlyOnce(check, summaries[1]!)).toEqual([]);
    } finally {
      await check.close();
    }
  });

  const databaseUrl = parseConfig(process.env).DATABASE_URL;
  it.skipIf(!databaseUrl)("keeps every sample exactly once on PostgreSQL after a SIGKILL mid-stream", { timeout: 300_000 }, async () => {
    const database = await createScratchDatabase(databaseUrl!, "crash");
    scratch.push(database);
    const setup = await openDatabase({ databaseUrl: database.url, poolSize: 2 });
    const devices = await prepareDevices(setup);
    await setup.close();

    const { summaries } = await crashMidStream({ dataDir: createTempDataDir(), databaseUrl: database.url, devices });
    for (const summary of summaries) {
      expect(summary.totals.rejected).toBe(0);
      expect(summary.totals.ackedSamples).toBe(summary.totals.sentSamples);
    }
    const check = await openDatabase({ databaseUrl: database.url, poolSize: 2 });
    try {
      expect(await verifyExactlyOnce(check, summaries[0]!)).toEqual([]);
      expect(await verifyExactlyOnce(check, summaries[1]!)).toEqual([]);
      // Whatever the servers left staged is folded into hourly chunks: still every sample exactly once.
      await compactHeartRate({ db: check.prisma });
      expect(await verifyExactlyOnce(check, summaries[0]!)).toEqual([]);
      expect(await verifyExactlyOnce(check, summaries[1]!)).toEqual([]);
    } finally {
      await check.close();
    }
  });
});
