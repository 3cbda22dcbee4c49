// The encrypted forecast end to end through the real routes, a real HE worker pool and real node-seal:
// a patient registers keys once, asks for forecasts with ciphertexts, decrypts them; replaced keys stop
// working; nothing the server logs or stores while serving encrypted requests holds a glucose value.
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getInputs } from "@/app/api/patients/[patientId]/he/forecast-inputs/route";
import { POST as postForecast } from "@/app/api/patients/[patientId]/he/forecasts/route";
import { GET as getKeys, PUT as putKeys } from "@/app/api/patients/[patientId]/he/keys/route";
import type { TDatabase } from "@/lib/db/open-database";
import { computeForecastFeatures, type TForecastInput } from "@/lib/glucose-forecast/features";
import { predictGlucoseLinear } from "@/lib/glucose-forecast/linear-model";
import { loadForecastWeights } from "@/lib/glucose-forecast/model-files";
import { createHeClient, type THeClient } from "@/lib/he/create-he-client";
import { closeHeEvalPool, startHeEvalPool } from "@/lib/he/he-eval-pool";
import { loadSeal } from "@/lib/he/load-seal";
import { HE_PARAMS } from "@/lib/he/params";
import { createDevice, createWorld, signInAs, type TSignedIn } from "../helpers/factories";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { callBinaryRoute } from "../helpers/call-binary-route";
import { createTestDatabase } from "../helpers/test-database";

// Readings with decimals no id, timing or hex dump can contain, so a leak is unmistakable.
const MARKER_READINGS = [173.4567, 171.2345, 168.9876, 166.5432, 163.3579, 160.8642, 158.2468, 155.1357, 152.9753, 150.3141, 147.2718, 144.1618, 141.4142];
const INPUT: TForecastInput = {
  readingsMgDl: MARKER_READINGS,
  carbs: [{ minutesAgo: 25, grams: 47.25 }],
  insulin: [{ minutesAgo: 20, units: 4.75 }],
  exercise: [],
  carbRatioGPerU: 9.5,
  correctionFactorMgDlPerU: 55.5,
};


let database: TDatabase;
let world: Awaited<ReturnType<typeof createWorld>>;
let patient: TSignedIn;
let client: THeClient;
const logLines: string[] = [];
const { weights } = loadForecastWeights();
const db = () => database.prisma;
const patientId = () => world.home.patient.id;

async function registerKeys(galoisKeys: Uint8Array) {
  return callBinaryRoute(putKeys, {
    method: "PUT",
    path: `/api/patients/${patientId()}/he/keys`,
    params: { patientId: patientId() },
    body: galoisKeys,
    signedIn: patient,
    headers: { "x-he-params-id": HE_PARAMS.id },
  });
}

async function requestForecast(ciphertext: Uint8Array, fingerprint: string) {
  return callBinaryRoute(postForecast, {
    method: "POST",
    path: `/api/patients/${patientId()}/he/forecasts`,
    params: { patientId: patientId() },
    body: ciphertext,
    signedIn: patient,
    headers: { "x-he-params-id": HE_PARAMS.id, "x-he-key-fingerprint": fingerprint },
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabaseInServerContext(database);
  // Capture everything the server logs, at every level, to look for leaks.
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  (globalThis as unknown as { __pulseguardLogger?: pino.Logger }).__pulseguardLogger = pino({ level: "trace" }, sink);
  world = await createWorld(db());
  patient = await signInAs(db(), world.home.patientUser.id);
  client = createHeClient({ seal: await loadSeal() });
  await startHeEvalPool({ size: 1 });
}, 180_000);

afterAll(async () => {
  client?.delete();
  await closeHeEvalPool();
  (globalThis as unknown as { __pulseguardLogger?: pino.Logger }).__pulseguardLogger = undefined;
  await database?.close();
});

describe("encrypted glucose forecast routes", () => {
  let fingerprint = "";

  it("registers evaluation keys once and reports the active fingerprint", async () => {
    const before = await callBinaryRoute(getKeys, { method: "GET", path: `/api/patients/${patientId()}/he/keys`, params: { patientId: patientId() }, signedIn: patient });
    expect(before.status).toBe(200);
    expect(before.json).toMatchObject({ keySet: null, params: { id: HE_PARAMS.id } });

    const registered = await registerKeys(client.createEvaluationKeys());
    expect(registered.status).toBe(201);
    const keySet = registered.json?.keySet as { fingerprint: string; sizeBytes: number; paramsId: string };
    expect(keySet.paramsId).toBe(HE_PARAMS.id);
    fingerprint = keySet.fingerprint;

    const after = await callBinaryRoute(getKeys, { method: "GET", path: `/api/patients/${patientId()}/he/keys`, params: { patientId: patientId() }, signedIn: patient });
    expect((after.json?.keySet as { fingerprint: string }).fingerprint).toBe(fingerprint);
    const rows = await db().heKeySet.findMany({ where: { patientId: patientId() } });
    expect(rows).toHaveLength(1);
    // Only evaluation keys are stored: no public key, no relinearization keys, and there is no column for a secret key.
    expect(rows[0]).toMatchObject({ publicKey: null, relinKeys: null, revokedAt: null });
  });

  it("returns a ciphertext that decrypts to the plaintext model's forecast", async () => {
    const features = computeForecastFeatures(INPUT);
    const response = await requestForecast(client.encryptFeatures(features), fingerprint);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("x-he-model-version")).toBe(weights.version);
    expect(Math.abs(client.decryptForecast(response.bytes) - predictGlucoseLinear(weights, features))).toBeLessThan(0.01);
  });

  it("logs and stores no plaintext glucose while serving encrypted requests", async () => {
    const features = computeForecastFeatures(INPUT);
    for (let index = 0; index < 3; index += 1) expect((await requestForecast(client.encryptFeatures(features), fingerprint)).status).toBe(200);
    const forecastMgDl = client.decryptForecast((await requestForecast(client.encryptFeatures(features), fingerprint)).bytes);
    const markers = [...MARKER_READINGS.map((value) => value.toFixed(2)), forecastMgDl.toFixed(2), "47.25", "4.75"];
    expect(logLines.some((line) => line.includes("he forecast evaluated"))).toBe(true);
    // A marker counts as a number of its own, not digits inside another one (a timestamp such as
    // "08:50:14.750" holds "4.75").
    const patterns = markers.map((marker) => new RegExp(`(?<![0-9])${marker.replace(".", "\\.")}(?![0-9])`));
    for (const line of logLines) for (const pattern of patterns) expect(line).not.toMatch(pattern);

    const tables = await db().$queryRawUnsafe<{ tablename: string }[]>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    expect(tables.length).toBeGreaterThan(5);
    for (const { tablename } of tables) {
      const rows = await db().$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
      for (const { row } of rows) for (const pattern of patterns) expect(row, `table ${tablename}`).not.toMatch(pattern);
    }
  });

  it("refuses a forecast under replaced keys, and serves the new ones", async () => {
    const second = await registerKeys(client.createEvaluationKeys());
    expect(second.status).toBe(201);
    const newFingerprint = (second.json?.keySet as { fingerprint: string }).fingerprint;
    expect(newFingerprint).not.toBe(fingerprint);
    const stale = await requestForecast(client.encryptFeatures(computeForecastFeatures(INPUT)), fingerprint);
    expect(stale.status).toBe(409);
    expect(stale.json?.error?.message).toMatch(/active key set/);
    expect((await requestForecast(client.encryptFeatures(computeForecastFeatures(INPUT)), newFingerprint)).status).toBe(200);
    const rows = await db().heKeySet.findMany({ where: { patientId: patientId() }, orderBy: { createdAt: "asc" } });
    expect(rows.map((row) => row.revokedAt === null)).toEqual([false, true]);
    // A revoked key set keeps its fingerprint for the record, not its key bytes.
    expect(rows[0]?.galoisKeys).toBeNull();
    const audit = await db().auditLog.findMany({ where: { patientId: patientId(), action: "he_keys.register" } });
    expect(audit).toHaveLength(2);
  });

  it("gives the patient their own recent readings for the features", async () => {
    const { device } = await createDevice(db(), { patientId: patientId(), kind: "CGM" });
    const now = Date.now();
    await db().glucoseReading.createMany({
      data: Array.from({ length: 14 }, (_, index) => ({ patientId: patientId(), deviceId: device.id, seq: 1, measuredAt: new Date(now - index * 5 * 60_000), glucoseMgDl: 120 + index })),
    });
    const response = await callBinaryRoute(getInputs, { method: "GET", path: `/api/patients/${patientId()}/he/forecast-inputs`, params: { patientId: patientId() }, signedIn: patient });
    expect(response.status).toBe(200);
    const readings = response.json?.readings as { glucoseMgDl: number }[];
    expect(readings.slice(0, 3).map((reading) => reading.glucoseMgDl)).toEqual([120, 121, 122]);
  });
});
