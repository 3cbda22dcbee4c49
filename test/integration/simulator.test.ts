// The simulator as a real client: a small cohort of watches and a glucose sensor streams an hour of
// simulated data over the device socket; everything arrives exactly once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TDatabase } from "@/lib/db/open-database";
import { runCohort, type TCohortDevice } from "@/workers/simulator/run-cohort";
import { createSampleChecksum } from "@/workers/simulator/sample-checksum";
import { createDevice, createWorld } from "../helpers/factories";
import { startTestRealtime, type TTestRealtime } from "../helpers/realtime";
import { checksumStoredHeartRate } from "../helpers/stored-heart-rate";
import { createTestDatabase } from "../helpers/test-database";

let database: TDatabase;
let server: TTestRealtime;
let world: Awaited<ReturnType<typeof createWorld>>;

beforeAll(async () => {
  database = await createTestDatabase();
  world = await createWorld(database.prisma);
  server = await startTestRealtime({ db: database.prisma, withIngest: database });
});

afterAll(async () => {
  await server.close();
  await database.close();
});

describe("simulator cohort", () => {
  it("streams an hour from two watches and a CGM, every sample stored exactly once", async () => {
    const devices: TCohortDevice[] = [];
    for (const [patientId, kind] of [
      [world.home.patient.id, "WATCH"],
      [world.away.patient.id, "WATCH"],
      [world.home.patient.id, "CGM"],
    ] as const) {
      const { device, token } = await createDevice(database.prisma, { patientId, kind });
      devices.push({ deviceId: device.id, token, kind, patientId });
    }
    const progress: string[] = [];
    const cohort = runCohort({
      baseUrl: server.url,
      devices,
      transport: "socket",
      speedup: 3_600,
      durationSimMs: 3_600_000,
      seed: "simulator-test",
      progressEveryMs: 200,
      onProgress: (line) => progress.push(line),
    });
    const summary = await cohort.done;
    expect(summary.totals.rejected).toBe(0);
    expect(summary.totals.ackedSamples).toBe(summary.totals.sentSamples);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatch(/\[sim \d+h\d{2}m\d{2}s \(\d+\.\d%\)\] devices 3/);

    for (const device of summary.devices.filter((d) => d.deviceId !== devices[2]!.deviceId)) {
      // An hour at 1 Hz in 10-second batches, give or take the window the clock started in.
      expect(device.sentSamples).toBeGreaterThanOrEqual(3_590);
      expect(await checksumStoredHeartRate(database.prisma, device.deviceId)).toEqual({ count: device.sentSamples, checksum: device.checksum });
    }

    const cgm = summary.devices.find((d) => d.deviceId === devices[2]!.deviceId)!;
    // One reading every 5 minutes.
    expect(cgm.sentSamples).toBeGreaterThanOrEqual(11);
    const readings = await database.prisma.glucoseReading.findMany({ where: { deviceId: cgm.deviceId }, orderBy: { measuredAt: "asc" } });
    const checksum = createSampleChecksum();
    for (const reading of readings) checksum.add(reading.measuredAt.getTime(), reading.glucoseMgDl);
    expect(checksum.value()).toEqual({ count: cgm.sentSamples, checksum: cgm.checksum });
  });
});
