// The client library the CLI and the browser panel share (runEncryptedForecast over he-api-client),
// against the real routes: keys are registered on the first forecast only, the secret key stays in the
// client's storage, the forecast matches the plaintext model, and sharing a finding names no value.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postFinding } from "@/app/api/patients/[patientId]/he/findings/route";
import { GET as getInputs } from "@/app/api/patients/[patientId]/he/forecast-inputs/route";
import { POST as postForecast } from "@/app/api/patients/[patientId]/he/forecasts/route";
import { GET as getKeys, PUT as putKeys } from "@/app/api/patients/[patientId]/he/keys/route";
import type { TDatabase } from "@/lib/db/open-database";
import { computeForecastFeatures, HISTORY_READINGS } from "@/lib/glucose-forecast/features";
import { ZShareForecastFindingSchema } from "@/lib/glucose-forecast/forecast-finding";
import { predictGlucoseLinear } from "@/lib/glucose-forecast/linear-model";
import { loadForecastWeights } from "@/lib/glucose-forecast/model-files";
import { shareForecastFinding, type THeApi } from "@/lib/he/he-api-client";
import { closeHeEvalPool, startHeEvalPool } from "@/lib/he/he-eval-pool";
import { loadSeal } from "@/lib/he/load-seal";
import { runEncryptedForecast, type THeKeyStorage } from "@/lib/he/run-encrypted-forecast";
import { CLIENT_ADDRESS_HEADER } from "@/lib/http/with-route";
import { createDevice, createWorld, signInAs, type TSignedIn } from "../helpers/factories";
import { createRecordingPublisher, useDatabaseInServerContext } from "../helpers/server-context";
import { createTestDatabase } from "../helpers/test-database";

type THandler = (request: Request, context: { params: Promise<never> }) => Promise<Response>;
const ROUTES: { pattern: RegExp; handlers: Record<string, THandler> }[] = [
  { pattern: /^\/api\/patients\/([^/]+)\/he\/keys$/, handlers: { GET: getKeys, PUT: putKeys } },
  { pattern: /^\/api\/patients\/([^/]+)\/he\/forecasts$/, handlers: { POST: postForecast } },
  { pattern: /^\/api\/patients\/([^/]+)\/he\/forecast-inputs$/, handlers: { GET: getInputs } },
  { pattern: /^\/api\/patients\/([^/]+)\/he\/findings$/, handlers: { POST: postFinding } },
];

let database: TDatabase;
let patient: TSignedIn;
let patientId: string;
const sharedBodies: unknown[] = [];
const publisher = createRecordingPublisher();

/** A fetch that hands requests to the route handlers, as Next would; unknown routes are 404. */
const routeFetch: typeof fetch = async (input, init) => {
  const request = new Request(input as URL, init);
  const url = new URL(request.url);
  if (url.pathname.endsWith("/he/findings")) sharedBodies.push(await request.clone().json());
  for (const route of ROUTES) {
    const match = route.pattern.exec(url.pathname);
    const handler = match ? route.handlers[request.method] : undefined;
    if (!match || !handler) continue;
    const headers = new Headers(request.headers);
    headers.set("cookie", patient.cookie);
    headers.set(CLIENT_ADDRESS_HEADER, "127.0.0.1");
    const forwarded = new Request(request.url, { method: request.method, headers, body: request.body, duplex: "half" } as RequestInit);
    return handler(forwarded, { params: Promise.resolve({ patientId: match[1] }) as Promise<never> });
  }
  return new Response(JSON.stringify({ error: { code: "NOT_FOUND", message: "Not found" } }), { status: 404, headers: { "content-type": "application/json" } });
};

function memoryStorage(): THeKeyStorage & { records: Map<string, Parameters<THeKeyStorage["write"]>[0]> } {
  const records = new Map<string, Parameters<THeKeyStorage["write"]>[0]>();
  return { records, read: async (id) => records.get(id) ?? null, write: async (record) => void records.set(record.patientId, record) };
}

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabaseInServerContext(database, {}, publisher);
  const world = await createWorld(database.prisma);
  patientId = world.home.patient.id;
  patient = await signInAs(database.prisma, world.home.patientUser.id);
  const { device } = await createDevice(database.prisma, { patientId, kind: "CGM" });
  const now = Date.now();
  await database.prisma.glucoseReading.createMany({
    data: Array.from({ length: 14 }, (_, index) => ({ patientId, deviceId: device.id, seq: 1, measuredAt: new Date(now - 60_000 - index * 5 * 60_000), glucoseMgDl: 110 - 3 * index })),
  });
  await startHeEvalPool({ size: 1 });
}, 180_000);

afterAll(async () => {
  await closeHeEvalPool();
  await database?.close();
});

describe("encrypted forecast client", () => {
  it("registers keys on the first forecast only and matches the plaintext model", async () => {
    const api: THeApi = { baseUrl: "http://localhost:3000", patientId, headers: { "x-csrf-token": patient.csrfToken }, fetch: routeFetch };
    const storage = memoryStorage();
    const seal = await loadSeal();
    const options = { seal, api, storage, events: { carbs: [{ grams: 30, minutesAgo: 15 }] }, carbRatioGPerU: 10, correctionFactorMgDlPerU: 50 };
    const first = await runEncryptedForecast(options);
    if (!first.ok) throw new Error(first.reason);
    expect(first.registeredKeyBytes).toBeGreaterThan(100_000);
    expect(storage.records.get(patientId)?.keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
    const second = await runEncryptedForecast(options);
    if (!second.ok) throw new Error(second.reason);
    expect(second.registeredKeyBytes).toBeNull();
    expect(second.uploadBytes).toBeLessThan(256 * 1024);

    // Readings 110, 107, ... 74 (newest first), as the server stored them.
    const readingsMgDl = Array.from({ length: HISTORY_READINGS }, (_, index) => 110 - 3 * index);
    const expected = predictGlucoseLinear(loadForecastWeights().weights, computeForecastFeatures({ readingsMgDl, carbs: [{ grams: 30, minutesAgo: 15 }], carbRatioGPerU: 10, correctionFactorMgDlPerU: 50 }));
    expect(Math.abs(second.forecastMgDl - Math.min(400, Math.max(40, expected)))).toBeLessThan(0.01);
    // The server stored no secret key: the one key-set row holds Galois keys only.
    const rows = await database.prisma.heKeySet.findMany({ where: { patientId, revokedAt: null } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ publicKey: null, relinKeys: null });
  }, 120_000);

  it("shares a finding, not values, as an alert for the care team", async () => {
    const api: THeApi = { baseUrl: "http://localhost:3000", patientId, headers: { "x-csrf-token": patient.csrfToken }, fetch: routeFetch };
    const finding = { finding: "predicted_low" as const, horizonMin: 30 as const, forecastAt: new Date().toISOString(), modelVersion: "1.0.0" };
    const shared = await shareForecastFinding(api, finding);
    expect(shared).toEqual({ alertId: expect.any(String), isNew: true });
    expect(sharedBodies).toHaveLength(1);
    expect(ZShareForecastFindingSchema.parse(sharedBodies[0])).toEqual(finding);
    const alert = await database.prisma.alert.findUniqueOrThrow({ where: { id: BigInt(shared.alertId!) } });
    expect(alert).toMatchObject({ patientId, condition: "glucose_low_forecast", severity: "URGENT", source: "GLUCOSE_FORECAST" });
    // The evidence names the finding's context only: no reading, no forecast value.
    expect(Object.keys(alert.evidence as object).sort()).toEqual(["forecastAt", "horizonMin", "modelVersion", "sharedBy"]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(publisher.published.map((change) => change.alert.id.toString())).toContain(shared.alertId);
    // A second share while the alert is open folds into it.
    expect((await shareForecastFinding(api, finding)).isNew).toBe(false);
  });
});
