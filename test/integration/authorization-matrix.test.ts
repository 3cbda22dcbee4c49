// Every API route x every kind of actor returns exactly what the access policy allows. The route list
// is read from app/api on disk, so a new route without a row here fails this test.
import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TDatabase } from "@/lib/db/open-database";
import { callRoute, type TCallOptions } from "../helpers/call-route";
import { assignToCareTeam, createAlert, createUser, createWorld, signInAs } from "../helpers/factories";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { createTestDatabase } from "../helpers/test-database";

type TActorName = "anonymous" | "device" | "patientSelf" | "otherPatient" | "careClinician" | "otherClinician" | "admin" | "otherHospitalAdmin";
const ACTORS: TActorName[] = ["anonymous", "device", "patientSelf", "otherPatient", "careClinician", "otherClinician", "admin", "otherHospitalAdmin"];

type TWorld = Awaited<ReturnType<typeof createWorld>>;
type TCell = { method: string; file: string; expected: Record<TActorName, number>; request: (world: TWorld) => Promise<{ path: string } & TCallOptions> };

const API_DIR = path.resolve(import.meta.dirname, "../../app/api");

function findRouteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findRouteFiles(full);
    return entry.name === "route.ts" ? [path.relative(API_DIR, full)] : [];
  });
}

const everyone = (status: number) => Object.fromEntries(ACTORS.map((actor) => [actor, status])) as Record<TActorName, number>;
const usersOnly = (status: number) => ({ ...everyone(status), anonymous: 401, device: 401 });
// Reading the home patient: the patient, their care-team clinician and their hospital's admin.
const patientReaders = { ...usersOnly(404), patientSelf: 200, careClinician: 200, admin: 200 };
// Changing the home patient's care team or devices: their hospital's admin only. Other roles are refused
// by role (403); an admin of another hospital cannot even learn the patient exists (404).
const adminWrite = (ok: number) => ({ ...usersOnly(403), admin: ok, otherHospitalAdmin: 404 });
// Encrypted forecasts: the patient alone. Their care team and admin see the patient exists but are refused.
const patientSelfOnly = (ok: number) => ({ ...usersOnly(404), patientSelf: ok, careClinician: 403, admin: 403 });

// Acting on an alert or a patient's alert rules: clinicians only (403 for other roles, before any
// lookup), and among clinicians only those who may see the patient (404 for the others).
const clinicianWrite = (ok: number) => ({ ...usersOnly(403), careClinician: ok, otherClinician: 404 });
// Federated training's consortium-wide actions: any hospital's admin; other roles are refused by role.
const anyAdmin = (ok: number) => ({ ...usersOnly(403), admin: ok, otherHospitalAdmin: ok });

let seq = 0;
const nextSeq = () => (seq += 1);
const heartRateBatch = () => ({ seq: nextSeq(), startedAt: new Date(Date.now() - 60_000).toISOString(), intervalMs: 1000, bpm: [70, 71, 72] });

const day = { from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" };

const MATRIX: TCell[] = [
  { method: "POST", file: "auth/sign-in/route.ts", expected: everyone(401), request: async () => ({ path: "/api/auth/sign-in", body: { email: `nobody-${randomUUID()}@test.example`, password: "wrong" } }) },
  { method: "POST", file: "auth/sign-out/route.ts", expected: usersOnly(200), request: async () => ({ path: "/api/auth/sign-out" }) },
  { method: "GET", file: "auth/session/route.ts", expected: usersOnly(200), request: async () => ({ path: "/api/auth/session" }) },
  { method: "GET", file: "health/route.ts", expected: everyone(200), request: async () => ({ path: "/api/health" }) },
  { method: "GET", file: "patients/route.ts", expected: usersOnly(200), request: async () => ({ path: "/api/patients" }) },
  { method: "GET", file: "patients/[patientId]/route.ts", expected: patientReaders, request: async (w) => ({ path: `/api/patients/${w.home.patient.id}`, params: { patientId: w.home.patient.id } }) },
  {
    method: "GET",
    file: "patients/[patientId]/heart-rate/route.ts",
    expected: patientReaders,
    request: async (w) => ({ path: `/api/patients/${w.home.patient.id}/heart-rate`, params: { patientId: w.home.patient.id }, query: day }),
  },
  { method: "GET", file: "patients/[patientId]/care-team/route.ts", expected: patientReaders, request: async (w) => ({ path: `/api/patients/${w.home.patient.id}/care-team`, params: { patientId: w.home.patient.id } }) },
  {
    method: "POST",
    file: "patients/[patientId]/care-team/route.ts",
    expected: adminWrite(201),
    request: async (w) => {
      // A fresh clinician per call, so the admin's successful change does not alter the world other cells see.
      const extra = await createUser(db(), { hospitalId: w.home.hospital.id, role: "CLINICIAN" });
      return { path: `/api/patients/${w.home.patient.id}/care-team`, params: { patientId: w.home.patient.id }, body: { clinicianId: extra.id, rank: 1 } };
    },
  },
  {
    method: "DELETE",
    file: "patients/[patientId]/care-team/[clinicianId]/route.ts",
    expected: adminWrite(200),
    request: async (w) => {
      const extra = await createUser(db(), { hospitalId: w.home.hospital.id, role: "CLINICIAN" });
      await assignToCareTeam(db(), { patientId: w.home.patient.id, clinicianId: extra.id, rank: 5 });
      return { path: `/api/patients/${w.home.patient.id}/care-team/${extra.id}`, params: { patientId: w.home.patient.id, clinicianId: extra.id } };
    },
  },
  {
    method: "POST",
    file: "patients/[patientId]/devices/route.ts",
    expected: adminWrite(201),
    request: async (w) => ({ path: `/api/patients/${w.home.patient.id}/devices`, params: { patientId: w.home.patient.id }, body: { kind: "WATCH", label: "spare watch" } }),
  },
  { method: "GET", file: "audit/route.ts", expected: { ...usersOnly(403), admin: 200, otherHospitalAdmin: 200 }, request: async () => ({ path: "/api/audit" }) },
  {
    method: "POST",
    file: "devices/[deviceId]/heart-rate/route.ts",
    expected: { ...everyone(401), device: 200 },
    request: async (w) => ({ path: `/api/devices/${w.home.device.id}/heart-rate`, params: { deviceId: w.home.device.id }, body: heartRateBatch() }),
  },
  {
    method: "POST",
    file: "devices/[deviceId]/glucose/route.ts",
    // The home device is a watch: it authenticates, but may not send glucose.
    expected: { ...everyone(401), device: 403 },
    request: async (w) => ({
      path: `/api/devices/${w.home.device.id}/glucose`,
      params: { deviceId: w.home.device.id },
      body: { seq: nextSeq(), readings: [{ measuredAt: new Date().toISOString(), glucoseMgDl: 110 }] },
    }),
  },
  { method: "GET", file: "patients/[patientId]/he/keys/route.ts", expected: patientSelfOnly(200), request: async (w) => ({ path: `/api/patients/${w.home.patient.id}/he/keys`, params: { patientId: w.home.patient.id } }) },
  {
    method: "PUT",
    file: "patients/[patientId]/he/keys/route.ts",
    // The patient gets past the policy to the body check: these bytes are no SEAL object (400).
    expected: patientSelfOnly(400),
    request: async (w) => ({
      path: `/api/patients/${w.home.patient.id}/he/keys`,
      params: { patientId: w.home.patient.id },
      rawBody: "not galois keys",
      contentType: "application/octet-stream",
      headers: { "x-he-params-id": "ckks-n4096-q40.30.39-s26-f16-v1" },
    }),
  },
  {
    method: "POST",
    file: "patients/[patientId]/he/forecasts/route.ts",
    // The patient gets past the policy; with no keys registered the forecast is refused (409).
    expected: patientSelfOnly(409),
    request: async (w) => ({
      path: `/api/patients/${w.home.patient.id}/he/forecasts`,
      params: { patientId: w.home.patient.id },
      rawBody: "not a ciphertext",
      contentType: "application/octet-stream",
      headers: { "x-he-params-id": "ckks-n4096-q40.30.39-s26-f16-v1", "x-he-key-fingerprint": "0".repeat(64) },
    }),
  },
  {
    method: "POST",
    file: "patients/[patientId]/he/findings/route.ts",
    expected: patientSelfOnly(200),
    request: async (w) => ({
      path: `/api/patients/${w.home.patient.id}/he/findings`,
      params: { patientId: w.home.patient.id },
      body: { finding: "predicted_high", horizonMin: 30, forecastAt: new Date().toISOString(), modelVersion: "1.0.0" },
    }),
  },
  {
    method: "GET",
    file: "patients/[patientId]/he/forecast-inputs/route.ts",
    expected: patientSelfOnly(200),
    request: async (w) => ({ path: `/api/patients/${w.home.patient.id}/he/forecast-inputs`, params: { patientId: w.home.patient.id } }),
  },
  { method: "GET", file: "alerts/route.ts", expected: usersOnly(200), request: async () => ({ path: "/api/alerts", query: { status: "ACTIVE" } }) },
  { method: "GET", file: "alerts/events/route.ts", expected: usersOnly(200), request: async () => ({ path: "/api/alerts/events", query: { afterEventId: "0" } }) },
  ...(["GET", "acknowledge", "resolve", "snooze"] as const).map((action): TCell => {
    const bodies = { GET: undefined, acknowledge: undefined, resolve: { outcome: "FALSE_ALARM", note: "moved the watch" }, snooze: { minutes: 15, reason: "patient is exercising" } };
    return {
      method: action === "GET" ? "GET" : "POST",
      file: action === "GET" ? "alerts/[alertId]/route.ts" : `alerts/[alertId]/${action}/route.ts`,
      expected: action === "GET" ? patientReaders : clinicianWrite(200),
      request: async (w) => {
        // A fresh open alert per call: a successful acknowledge or resolve must not change what other cells see.
        const alert = await createAlert(db(), { patientId: w.home.patient.id, hospitalId: w.home.hospital.id, condition: `test_${nextSeq()}` });
        const suffix = action === "GET" ? "" : `/${action}`;
        return { path: `/api/alerts/${alert.id}${suffix}`, params: { alertId: alert.id.toString() }, body: bodies[action] };
      },
    };
  }),
  { method: "GET", file: "patients/[patientId]/alert-rules/route.ts", expected: patientReaders, request: async (w) => ({ path: `/api/patients/${w.home.patient.id}/alert-rules`, params: { patientId: w.home.patient.id } }) },
  {
    method: "PUT",
    file: "patients/[patientId]/alert-rules/route.ts",
    expected: clinicianWrite(200),
    request: async (w) => ({
      path: `/api/patients/${w.home.patient.id}/alert-rules`,
      params: { patientId: w.home.patient.id },
      body: { rules: [{ condition: "tachycardia", enabled: true, thresholdBpm: 130 }] },
    }),
  },
  {
    method: "GET",
    file: "patients/[patientId]/ecg-strips/[stripId]/route.ts",
    expected: patientReaders,
    request: async (w) => {
      const strip = await db().ecgStrip.create({
        data: { patientId: w.home.patient.id, deviceId: w.home.device.id, recordedAt: new Date(), sampleRateHz: 250, samples: Buffer.alloc(250 * 10 * 2) },
      });
      return { path: `/api/patients/${w.home.patient.id}/ecg-strips/${strip.id}`, params: { patientId: w.home.patient.id, stripId: strip.id } };
    },
  },
  {
    method: "GET",
    file: "patients/[patientId]/glucose/route.ts",
    expected: patientReaders,
    request: async (w) => ({ path: `/api/patients/${w.home.patient.id}/glucose`, params: { patientId: w.home.patient.id }, query: day }),
  },
  { method: "GET", file: "devices/me/route.ts", expected: { ...everyone(401), device: 200 }, request: async () => ({ path: "/api/devices/me" }) },
  // Federated training, admin side. Credentials belong to one hospital; rounds and model versions are the
  // consortium's, so every hospital's admin may read rounds and activate versions.
  { method: "GET", file: "fl/credentials/route.ts", expected: anyAdmin(200), request: async () => ({ path: "/api/fl/credentials" }) },
  { method: "POST", file: "fl/credentials/route.ts", expected: anyAdmin(201), request: async () => ({ path: "/api/fl/credentials", body: { label: "matrix probe", validityDays: 1 } }) },
  {
    method: "DELETE",
    file: "fl/credentials/[credentialId]/route.ts",
    expected: adminWrite(200),
    request: async (w) => {
      const credential = await db().hospitalCredential.create({
        data: { hospitalId: w.home.hospital.id, label: "matrix revoke", tokenHash: randomUUID(), createdById: w.home.admin.id, expiresAt: new Date(Date.now() + 3_600_000) },
      });
      return { path: `/api/fl/credentials/${credential.id}`, params: { credentialId: credential.id } };
    },
  },
  // A hospital's participant process authenticates with its pgh_ credential only: no session, no device
  // token gets in (test/integration/federated-round.test.ts covers credentials, seats and bad input).
  { method: "GET", file: "fl/participant/rounds/route.ts", expected: everyone(401), request: async () => ({ path: "/api/fl/participant/rounds" }) },
  { method: "GET", file: "fl/participant/rounds/[roundId]/route.ts", expected: everyone(401), request: async () => ({ path: `/api/fl/participant/rounds/${randomUUID()}`, params: { roundId: randomUUID() } }) },
  {
    method: "GET",
    file: "fl/participant/rounds/[roundId]/weights/route.ts",
    expected: everyone(401),
    request: async () => ({ path: `/api/fl/participant/rounds/${randomUUID()}/weights`, params: { roundId: randomUUID() } }),
  },
  {
    method: "POST",
    file: "fl/participant/rounds/[roundId]/[step]/route.ts",
    expected: everyone(401),
    request: async () => ({ path: `/api/fl/participant/rounds/${randomUUID()}/keys`, params: { roundId: randomUUID(), step: "keys" }, body: {} }),
  },
  { method: "GET", file: "fl/rounds/route.ts", expected: anyAdmin(200), request: async () => ({ path: "/api/fl/rounds" }) },
  {
    method: "POST",
    file: "fl/rounds/route.ts",
    // Admins get past the policy and are refused by the round's preconditions: this database has no active
    // ecg-cnn version to start from (409). A threshold no consortium reaches keeps a real round from ever
    // starting here, where it would hold the model's one running-round slot.
    expected: anyAdmin(409),
    request: async () => ({ path: "/api/fl/rounds", body: { modelName: "ecg-cnn", config: { threshold: 256 } } }),
  },
  {
    method: "GET",
    file: "fl/rounds/[roundId]/route.ts",
    expected: anyAdmin(200),
    request: async () => {
      const round = await createFinishedRound();
      return { path: `/api/fl/rounds/${round.id}`, params: { roundId: round.id } };
    },
  },
  {
    method: "POST",
    file: "fl/rounds/[roundId]/cancel/route.ts",
    expected: anyAdmin(200),
    request: async () => {
      const round = await createRunningRound();
      return { path: `/api/fl/rounds/${round.id}/cancel`, params: { roundId: round.id } };
    },
  },
  {
    method: "POST",
    file: "models/[versionId]/activate/route.ts",
    expected: anyAdmin(200),
    request: async () => {
      // A model of its own per call, so activating it retires nothing another test relies on.
      const version = await createModelVersion(`matrix-model-${randomUUID().slice(0, 8)}`, "CANDIDATE");
      return { path: `/api/models/${version.id}/activate`, params: { versionId: version.id } };
    },
  },
];

let database: TDatabase;
let world: TWorld;
const db = () => database.prisma;

const createModelVersion = (name: string, status: "CANDIDATE" | "ACTIVE") =>
  db().modelVersion.create({ data: { name, version: 1, status, sha256: "0".repeat(64), sizeBytes: 16, manifest: {}, weights: new Uint8Array(16) } });

/** A finished round of a throwaway model, dated in the past so it sorts after any real round. */
/** A round still collecting keys, with a deadline no sweep in the shared test database reaches. */
async function createRunningRound() {
  const base = await createModelVersion(`matrix-model-${randomUUID().slice(0, 8)}`, "ACTIVE");
  const config = { threshold: 2, clipNorm: 5, sampleCap: 400, noiseStdPerParticipant: 0, localEpochs: 1, learningRate: 0.003, batchSize: 32, trainingTimeoutS: 60, stageTimeoutS: 60 };
  return db().federatedRound.create({ data: { modelName: base.name, stage: "ADVERTISING", threshold: 2, config, vectorLength: 8, stageDeadlineAt: new Date("2100-01-01T00:00:00Z"), baseVersionId: base.id } });
}

async function createFinishedRound() {
  const base = await createModelVersion(`matrix-model-${randomUUID().slice(0, 8)}`, "ACTIVE");
  const startedAt = new Date("2020-01-01T00:00:00Z");
  const config = { threshold: 2, clipNorm: 5, sampleCap: 400, noiseStdPerParticipant: 0, localEpochs: 1, learningRate: 0.003, batchSize: 32, trainingTimeoutS: 60, stageTimeoutS: 60 };
  return db().federatedRound.create({
    data: { modelName: base.name, stage: "FAILED", threshold: 2, config, vectorLength: 8, stageDeadlineAt: startedAt, baseVersionId: base.id, startedAt, finishedAt: startedAt, failureReason: "matrix fixture" },
  });
}

async function credentialsFor(actor: TActorName): Promise<TCallOptions> {
  const signIn = async (userId: string) => {
    const { cookie, csrfToken } = await signInAs(db(), userId);
    return { cookie, csrfToken };
  };
  switch (actor) {
    case "anonymous":
      return {};
    case "device":
      return { bearer: world.home.deviceToken };
    case "patientSelf":
      return signIn(world.home.patientUser.id);
    case "otherPatient":
      return signIn(world.home.otherPatient.userId);
    case "careClinician":
      return signIn(world.home.clinician.id);
    case "otherClinician":
      return signIn(world.home.otherClinician.id);
    case "admin":
      return signIn(world.home.admin.id);
    case "otherHospitalAdmin":
      return signIn(world.away.admin.id);
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabaseInServerContext(database);
  world = await createWorld(db());
});

afterAll(async () => {
  await database.close();
});

describe("authorization matrix", () => {
  it("covers every route file and method under app/api", async () => {
    const onDisk: string[] = [];
    for (const file of findRouteFiles(API_DIR)) {
      const module = (await import(path.join(API_DIR, file))) as Record<string, unknown>;
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) if (typeof module[method] === "function") onDisk.push(`${method} ${file}`);
    }
    expect(MATRIX.map((cell) => `${cell.method} ${cell.file}`).sort()).toEqual(onDisk.sort());
  });

  for (const cell of MATRIX) {
    for (const actor of ACTORS) {
      it(`${cell.method} ${cell.file} as ${actor} -> ${cell.expected[actor]}`, async () => {
        const module = (await import(path.join(API_DIR, cell.file))) as Record<string, Parameters<typeof callRoute>[0]>;
        const { path: urlPath, ...options } = await cell.request(world);
        const response = await callRoute(module[cell.method]!, cell.method, urlPath, { ...options, ...(await credentialsFor(actor)) });
        expect(response.status).toBe(cell.expected[actor]);
        if (response.status === 404 || response.status === 403) {
          // A refusal says nothing about the patient: no name, no profile fields.
          expect(response.text).not.toContain(world.home.patient.displayName);
          expect(Object.keys(response.json)).toEqual(["error"]);
        }
      });
    }
  }

  it("lists exactly the patients each role may see", async () => {
    const { GET } = await import("@/app/api/patients/route");
    const idsFor = async (actor: TActorName) => {
      const response = await callRoute(GET, "GET", "/api/patients", await credentialsFor(actor));
      return ((response.json.patients ?? []) as { id: string }[]).map((p) => p.id).sort();
    };
    expect(await idsFor("patientSelf")).toEqual([world.home.patient.id]);
    expect(await idsFor("careClinician")).toEqual([world.home.patient.id]);
    expect(await idsFor("otherClinician")).toEqual([world.home.otherPatient.id]);
    expect(await idsFor("admin")).toEqual([world.home.patient.id, world.home.otherPatient.id].sort());
    expect(await idsFor("otherHospitalAdmin")).toEqual([world.away.patient.id, world.away.otherPatient.id].sort());
  });

  it("audits reads of a patient by anyone but the patient, and not the patient's own reads", async () => {
    const { GET } = await import("@/app/api/patients/[patientId]/route");
    const call = async (actor: TActorName) =>
      callRoute(GET, "GET", `/api/patients/${world.home.patient.id}`, { params: { patientId: world.home.patient.id }, ...(await credentialsFor(actor)) });
    const count = () => db().auditLog.count({ where: { patientId: world.home.patient.id, action: "patient.read" } });
    const before = await count();
    expect((await call("patientSelf")).status).toBe(200);
    expect(await count()).toBe(before);
    expect((await call("careClinician")).status).toBe(200);
    const rows = await db().auditLog.findMany({ where: { patientId: world.home.patient.id, action: "patient.read" }, orderBy: { id: "desc" }, take: 1 });
    expect(await count()).toBe(before + 1);
    expect(rows[0]).toMatchObject({ actorId: world.home.clinician.id, actorRole: "CLINICIAN", targetId: world.home.patient.id });
  });

  it("refuses a cookie-authenticated change without the CSRF token", async () => {
    const { POST } = await import("@/app/api/patients/[patientId]/devices/route");
    const { cookie } = await signInAs(db(), world.home.admin.id);
    const response = await callRoute(POST, "POST", `/api/patients/${world.home.patient.id}/devices`, {
      params: { patientId: world.home.patient.id },
      body: { kind: "WATCH", label: "csrf probe" },
      cookie,
    });
    expect(response.status).toBe(403);
    expect(response.json.error?.code).toBe("CSRF_FAILED");
    expect(await db().device.count({ where: { label: "csrf probe" } })).toBe(0);
  });
});
