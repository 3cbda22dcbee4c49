import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as signInPost } from "@/app/api/auth/sign-in/route";
import { POST as assignCareTeamPost } from "@/app/api/patients/[patientId]/care-team/route";
import { POST as registerDevicePost } from "@/app/api/patients/[patientId]/devices/route";
import { GET as getHeartRate } from "@/app/api/patients/[patientId]/heart-rate/route";
import { applyMigrations } from "@/lib/db/migrate";
import { openDatabase, type TDatabase } from "@/lib/db/open-database";
import { callRoute, type TCallOptions } from "../helpers/call-route";
import { createHospital, createPatient, createUser, signInAs, type TSignedIn } from "../helpers/factories";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { MIGRATIONS_DIR } from "../helpers/test-database";

// This file owns a fresh embedded database, so whole-table snapshots (AuditLog included) are exact even
// when the rest of the suite runs against a shared PostgreSQL.
let database: TDatabase;
let admin: TSignedIn;
let patientId: string;
let clinicianId: string;
let otherHospitalClinicianId: string;
let sameHospitalPatientUserId: string;

beforeAll(async () => {
  database = await openDatabase({ dataDir: "memory" });
  await database.withRawConnection((connection) => applyMigrations({ connection, migrationsDir: MIGRATIONS_DIR }));
  useDatabaseInServerContext(database);
  const db = database.prisma;
  const hospital = await createHospital(db);
  const otherHospital = await createHospital(db);
  const adminUser = await createUser(db, { hospitalId: hospital.id, role: "HOSPITAL_ADMIN" });
  clinicianId = (await createUser(db, { hospitalId: hospital.id, role: "CLINICIAN" })).id;
  otherHospitalClinicianId = (await createUser(db, { hospitalId: otherHospital.id, role: "CLINICIAN" })).id;
  const { patient, user } = await createPatient(db, { hospitalId: hospital.id });
  patientId = patient.id;
  const { user: otherPatientUser } = await createPatient(db, { hospitalId: hospital.id });
  sameHospitalPatientUserId = otherPatientUser.id;
  expect(user.id).not.toBe(sameHospitalPatientUserId);
  admin = await signInAs(db, adminUser.id);
});

afterAll(async () => {
  await database?.close();
});

type TSnapshot = Record<string, { rows: number; digest: string }>;

/** Row count and a digest of the contents of every table, so an update would show as well as an insert. */
async function snapshotTables(): Promise<TSnapshot> {
  return database.withRawConnection(async (connection) => {
    const tables = await connection.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const snapshot: TSnapshot = {};
    for (const { table_name: table } of tables) {
      const [row] = await connection.query<{ rows: number; digest: string }>(
        `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${table}" t`,
      );
      snapshot[table] = row!;
    }
    return snapshot;
  });
}

type TRoute = Parameters<typeof callRoute>[0];
type TCase = {
  name: string;
  route: TRoute;
  method: "GET" | "POST";
  path: string;
  options: TCallOptions;
  status: number;
  code: string;
  /** For 422: the field paths that must be reported (others may be too). */
  paths?: string[];
};

const VALID_UUID = "7a0f4c52-8d0e-4c3a-9b8f-2a2f1d7c1e11";
const OVERSIZED_PAD = "x".repeat(65 * 1024);

function buildCases(): TCase[] {
  const careTeam = `/api/patients/${patientId}/care-team`;
  const devices = `/api/patients/${patientId}/devices`;
  const heartRate = `/api/patients/${patientId}/heart-rate`;
  const asAdmin: TCallOptions = { params: { patientId }, cookie: admin.cookie, csrfToken: admin.csrfToken };
  const cases: TCase[] = [];
  const post = (route: TRoute, path: string, name: string, options: TCallOptions, status: number, code: string, paths?: string[]) =>
    cases.push({ name, route, method: "POST", path, options, status, code, paths });

  const careTeamCase = (name: string, options: TCallOptions, status: number, code: string, paths?: string[]) =>
    post(assignCareTeamPost, careTeam, `care-team: ${name}`, { ...asAdmin, ...options }, status, code, paths);
  careTeamCase("malformed JSON", { rawBody: `{"clinicianId": "${clinicianId}", "rank": ` }, 400, "MALFORMED_JSON");
  careTeamCase("empty body", { rawBody: "" }, 400, "MALFORMED_JSON");
  careTeamCase("rank as a string", { body: { clinicianId, rank: "3" } }, 422, "VALIDATION_FAILED", ["rank"]);
  careTeamCase("rank null", { body: { clinicianId, rank: null } }, 422, "VALIDATION_FAILED", ["rank"]);
  careTeamCase("rank above 100", { body: { clinicianId, rank: 101 } }, 422, "VALIDATION_FAILED", ["rank"]);
  careTeamCase("negative rank", { body: { clinicianId, rank: -1 } }, 422, "VALIDATION_FAILED", ["rank"]);
  careTeamCase("fractional rank", { body: { clinicianId, rank: 2.5 } }, 422, "VALIDATION_FAILED", ["rank"]);
  careTeamCase("clinicianId not a uuid", { body: { clinicianId: "42", rank: 1 } }, 422, "VALIDATION_FAILED", ["clinicianId"]);
  careTeamCase("unknown field", { body: { clinicianId, rank: 1, isPrimary: true } }, 422, "VALIDATION_FAILED", ["isPrimary"]);
  careTeamCase("missing rank", { body: { clinicianId } }, 422, "VALIDATION_FAILED", ["rank"]);
  careTeamCase("missing clinicianId", { body: { rank: 1 } }, 422, "VALIDATION_FAILED", ["clinicianId"]);
  careTeamCase("array body", { body: [{ clinicianId, rank: 1 }] }, 422, "VALIDATION_FAILED", ["(root)"]);
  careTeamCase("null body", { body: null }, 422, "VALIDATION_FAILED", ["(root)"]);
  careTeamCase("oversized body", { body: { clinicianId, rank: 1, pad: OVERSIZED_PAD } }, 413, "PAYLOAD_TOO_LARGE");
  careTeamCase("oversized declared length", { body: { clinicianId, rank: 1 }, headers: { "content-length": String(65 * 1024) } }, 413, "PAYLOAD_TOO_LARGE");
  careTeamCase("text/plain", { rawBody: JSON.stringify({ clinicianId, rank: 1 }), contentType: "text/plain" }, 415, "UNSUPPORTED_MEDIA_TYPE");
  careTeamCase("form encoded", { rawBody: `clinicianId=${clinicianId}&rank=1`, contentType: "application/x-www-form-urlencoded" }, 415, "UNSUPPORTED_MEDIA_TYPE");
  careTeamCase("json-like media type", { rawBody: JSON.stringify({ clinicianId, rank: 1 }), contentType: "application/jsonx" }, 415, "UNSUPPORTED_MEDIA_TYPE");
  careTeamCase(
    "patient id that is not a uuid",
    { params: { patientId: "not-a-uuid" }, body: { clinicianId, rank: 1 } },
    404,
    "NOT_FOUND",
  );
  careTeamCase("patient that does not exist", { params: { patientId: VALID_UUID }, body: { clinicianId, rank: 1 } }, 404, "NOT_FOUND");

  const deviceCase = (name: string, options: TCallOptions, status: number, code: string, paths?: string[]) =>
    post(registerDevicePost, devices, `devices: ${name}`, { ...asAdmin, ...options }, status, code, paths);
  deviceCase("malformed JSON", { rawBody: `{"kind": "WATCH",` }, 400, "MALFORMED_JSON");
  deviceCase("unknown kind", { body: { kind: "PHONE", label: "x" } }, 422, "VALIDATION_FAILED", ["kind"]);
  deviceCase("kind in lower case", { body: { kind: "watch", label: "x" } }, 422, "VALIDATION_FAILED", ["kind"]);
  deviceCase("empty label", { body: { kind: "WATCH", label: "" } }, 422, "VALIDATION_FAILED", ["label"]);
  deviceCase("blank label", { body: { kind: "WATCH", label: "   " } }, 422, "VALIDATION_FAILED", ["label"]);
  deviceCase("label of 81 characters", { body: { kind: "WATCH", label: "y".repeat(81) } }, 422, "VALIDATION_FAILED", ["label"]);
  deviceCase("label as a number", { body: { kind: "WATCH", label: 7 } }, 422, "VALIDATION_FAILED", ["label"]);
  deviceCase("unknown field", { body: { kind: "WATCH", label: "x", tokenHash: "abc" } }, 422, "VALIDATION_FAILED", ["tokenHash"]);
  deviceCase("missing label", { body: { kind: "CGM" } }, 422, "VALIDATION_FAILED", ["label"]);
  deviceCase("oversized body", { body: { kind: "WATCH", label: "x", pad: OVERSIZED_PAD } }, 413, "PAYLOAD_TOO_LARGE");
  deviceCase("text/plain", { rawBody: JSON.stringify({ kind: "WATCH", label: "x" }), contentType: "text/plain" }, 415, "UNSUPPORTED_MEDIA_TYPE");

  const signInCase = (name: string, options: TCallOptions, status: number, code: string, paths?: string[]) =>
    post(signInPost, "/api/auth/sign-in", `sign-in: ${name}`, options, status, code, paths);
  signInCase("malformed JSON", { rawBody: `{"email": "a@b.example"` }, 400, "MALFORMED_JSON");
  signInCase("missing password", { body: { email: "a@b.example" } }, 422, "VALIDATION_FAILED", ["password"]);
  signInCase("empty password", { body: { email: "a@b.example", password: "" } }, 422, "VALIDATION_FAILED", ["password"]);
  signInCase("overlong password", { body: { email: "a@b.example", password: "p".repeat(1025) } }, 422, "VALIDATION_FAILED", ["password"]);
  signInCase("not an email", { body: { email: "admin", password: "secret" } }, 422, "VALIDATION_FAILED", ["email"]);
  signInCase("unknown field", { body: { email: "a@b.example", password: "secret", remember: true } }, 422, "VALIDATION_FAILED", ["remember"]);
  signInCase("oversized body", { body: { email: "a@b.example", password: "secret", pad: OVERSIZED_PAD } }, 413, "PAYLOAD_TOO_LARGE");
  signInCase("form encoded", { rawBody: "email=a@b.example&password=secret", contentType: "application/x-www-form-urlencoded" }, 415, "UNSUPPORTED_MEDIA_TYPE");

  const heartRateCase = (name: string, query: Record<string, string>, paths: string[]) =>
    cases.push({
      name: `heart-rate: ${name}`,
      route: getHeartRate,
      method: "GET",
      path: heartRate,
      options: { params: { patientId }, cookie: admin.cookie, query },
      status: 422,
      code: "VALIDATION_FAILED",
      paths,
    });
  heartRateCase("no range", {}, ["from", "to"]);
  heartRateCase("from without offset", { from: "2026-03-01T00:00:00", to: "2026-03-01T06:00:00Z" }, ["from"]);
  heartRateCase("from not a datetime", { from: "yesterday", to: "2026-03-01T06:00:00Z" }, ["from"]);
  heartRateCase("date only", { from: "2026-03-01", to: "2026-03-02T00:00:00Z" }, ["from"]);
  heartRateCase("to before from", { from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z" }, ["to"]);
  heartRateCase("to equal to from", { from: "2026-03-01T00:00:00+01:00", to: "2026-02-28T23:00:00Z" }, ["to"]);
  heartRateCase("more than 7 days", { from: "2026-03-01T00:00:00Z", to: "2026-03-08T00:00:01Z" }, ["to"]);
  heartRateCase("unknown parameter", { from: "2026-03-01T00:00:00Z", to: "2026-03-01T01:00:00Z", limit: "10" }, ["limit"]);
  return cases;
}

async function runCase(testCase: TCase) {
  return callRoute(testCase.route, testCase.method, testCase.path, testCase.options);
}

describe("bad input to the mutating routes", () => {
  it("gets the right status, code and field paths, and changes no row of any table", async () => {
    const cases = buildCases();
    const before = await snapshotTables();
    expect(Object.keys(before)).toEqual(expect.arrayContaining(["AuditLog", "CareTeamMember", "Device", "LoginThrottle", "Session", "User"]));

    for (const testCase of cases) {
      const response = await runCase(testCase);
      expect.soft(response.status, testCase.name).toBe(testCase.status);
      expect.soft(response.json?.error?.code, testCase.name).toBe(testCase.code);
      if (testCase.paths) {
        const reported = (response.json?.error?.fields ?? []).map((field) => field.path);
        expect.soft(reported, testCase.name).toEqual(expect.arrayContaining(testCase.paths));
      }
      // Error bodies never echo the submitted values back.
      expect.soft(response.text, testCase.name).not.toContain(OVERSIZED_PAD.slice(0, 64));
    }

    expect(await snapshotTables()).toEqual(before);
  });

  it("refuses a clinicianId that is not a clinician of the patient's hospital with 422 clinicianId, writing nothing", async () => {
    const before = await snapshotTables();
    const candidates = [otherHospitalClinicianId, sameHospitalPatientUserId, VALID_UUID];
    const bodies = new Set<string>();
    for (const candidate of candidates) {
      const response = await callRoute(assignCareTeamPost, "POST", `/api/patients/${patientId}/care-team`, {
        params: { patientId },
        cookie: admin.cookie,
        csrfToken: admin.csrfToken,
        body: { clinicianId: candidate, rank: 1 },
      });
      expect.soft(response.status, candidate).toBe(422);
      expect.soft(response.json?.error?.code, candidate).toBe("VALIDATION_FAILED");
      expect.soft(response.json?.error?.fields?.map((field) => field.path), candidate).toEqual(["clinicianId"]);
      bodies.add(response.text);
    }
    // Same answer for every case: probing ids does not reveal users of other hospitals.
    expect(bodies.size).toBe(1);
    expect(await database.prisma.careTeamMember.count({ where: { clinicianId: { in: candidates } } })).toBe(0);
    expect(await snapshotTables()).toEqual(before);
  });

  it("accepts the same requests once they are well formed (the refusals above are not just a broken session)", async () => {
    const asAdmin = { params: { patientId }, cookie: admin.cookie, csrfToken: admin.csrfToken };
    const member = await callRoute(assignCareTeamPost, "POST", `/api/patients/${patientId}/care-team`, { ...asAdmin, body: { clinicianId, rank: 100 } });
    expect(member.status).toBe(201);
    expect(member.json.member).toEqual({ patientId, clinicianId, rank: 100 });

    const device = await callRoute(registerDevicePost, "POST", `/api/patients/${patientId}/devices`, { ...asAdmin, body: { kind: "CGM", label: " Sensor " } });
    expect(device.status).toBe(201);
    expect(device.json.device).toMatchObject({ kind: "CGM", label: "Sensor", patientId });
    expect(device.json.token).toEqual(expect.stringMatching(/^pgd_/));

    const week = await callRoute(getHeartRate, "GET", `/api/patients/${patientId}/heart-rate`, {
      params: { patientId },
      cookie: admin.cookie,
      query: { from: "2026-03-01T00:00:00+02:00", to: "2026-03-08T00:00:00+02:00" },
    });
    expect(week.status).toBe(200);
    expect(week.json.minutes).toEqual([]);
  });
});
