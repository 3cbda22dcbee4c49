// Hospital participant credentials through their routes: issued once and usable by the participant,
// refused once revoked or expired, invisible to other hospitals, and nothing changes on a refusal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listCredentials, POST as issueCredential } from "@/app/api/fl/credentials/route";
import { DELETE as revokeCredential } from "@/app/api/fl/credentials/[credentialId]/route";
import type { TDatabase } from "@/lib/db/open-database";
import { AppError } from "@/lib/errors/app-error";
import { authenticateHospitalCredential, issueHospitalCredential, type THospitalCredentialView } from "@/lib/fl/credentials";
import { callRoute } from "../helpers/call-route";
import { createWorld, signInAs, type TSignedIn } from "../helpers/factories";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { createTestDatabase } from "../helpers/test-database";

let database: TDatabase;
let world: Awaited<ReturnType<typeof createWorld>>;
let admin: TSignedIn;
let otherHospitalAdmin: TSignedIn;
let clinician: TSignedIn;
let patient: TSignedIn;
const db = () => database.prisma;

type TIssued = { token: string; credential: THospitalCredentialView };

const issue = (as: TSignedIn, body: unknown) => callRoute(issueCredential, "POST", "/api/fl/credentials", { cookie: as.cookie, csrfToken: as.csrfToken, body });
const revoke = (as: TSignedIn, credentialId: string) =>
  callRoute(revokeCredential, "DELETE", `/api/fl/credentials/${credentialId}`, { cookie: as.cookie, csrfToken: as.csrfToken, params: { credentialId } });
const authenticate = (token: string, now?: Date) => authenticateHospitalCredential({ db: db(), authorization: `Bearer ${token}`, now });

async function expectRefused(token: string, now?: Date) {
  const error = await authenticate(token, now).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("UNAUTHENTICATED");
}

/** Everything a refused request could have changed for this hospital. */
async function snapshot(hospitalId: string) {
  const [credentials, audit] = await Promise.all([
    db().hospitalCredential.findMany({ where: { hospitalId }, orderBy: { id: "asc" } }),
    db().auditLog.count({ where: { hospitalId, action: { startsWith: "fl_credential." } } }),
  ]);
  return { credentials, audit };
}

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabaseInServerContext(database);
  world = await createWorld(db());
  admin = await signInAs(db(), world.home.admin.id);
  otherHospitalAdmin = await signInAs(db(), world.away.admin.id);
  clinician = await signInAs(db(), world.home.clinician.id);
  patient = await signInAs(db(), world.home.patientUser.id);
});

afterAll(async () => {
  await database.close();
});

describe("hospital participant credentials", () => {
  it("issues a token once that authenticates the hospital's participant, keeps only its hash, and audits the issue", async () => {
    const response = await issue(admin, { label: "  training server A  ", validityDays: 30 });
    expect(response.status).toBe(201);
    const { token, credential } = response.json as unknown as TIssued;
    expect(token).toMatch(/^pgh_[A-Za-z0-9_-]{43}$/);
    expect(credential).toMatchObject({ label: "training server A", status: "active", revokedAt: null, lastUsedAt: null });
    expect(Date.parse(credential.expiresAt) - Date.parse(credential.createdAt)).toBe(30 * 24 * 3600 * 1000);
    expect(Object.keys(credential).sort()).toEqual(["createdAt", "expiresAt", "id", "label", "lastUsedAt", "revokedAt", "status"]);

    const row = await db().hospitalCredential.findUniqueOrThrow({ where: { id: credential.id } });
    expect(row.hospitalId).toBe(world.home.hospital.id);
    expect(row.tokenHash).not.toContain(token);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);

    expect(await authenticate(token)).toEqual({ kind: "hospital-participant", credentialId: credential.id, hospitalId: world.home.hospital.id });

    const audit = await db().auditLog.findMany({ where: { targetId: credential.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "fl_credential.issue", actorId: world.home.admin.id, actorRole: "HOSPITAL_ADMIN", hospitalId: world.home.hospital.id });
    expect(JSON.stringify(audit[0]!.detail)).not.toContain(token);

    // The list shows it (now with the participant's last use) and never the token or the hash.
    const listed = await callRoute(listCredentials, "GET", "/api/fl/credentials", { cookie: admin.cookie });
    expect(listed.status).toBe(200);
    const mine = (listed.json.credentials as THospitalCredentialView[]).find((candidate) => candidate.id === credential.id);
    expect(mine).toMatchObject({ status: "active", label: "training server A" });
    expect(mine!.lastUsedAt).not.toBeNull();
    expect(listed.text).not.toContain(token);
    expect(listed.text).not.toContain(row.tokenHash);
  });

  it("defaults to 90 days of validity", async () => {
    const response = await issue(admin, { label: "default validity" });
    expect(response.status).toBe(201);
    const { credential } = response.json as unknown as TIssued;
    expect(Date.parse(credential.expiresAt) - Date.parse(credential.createdAt)).toBe(90 * 24 * 3600 * 1000);
  });

  it("refuses a revoked token; revoking again changes nothing", async () => {
    const { token, credential } = (await issue(admin, { label: "to revoke" })).json as unknown as TIssued;
    await authenticate(token);

    const first = await revoke(admin, credential.id);
    expect(first.status).toBe(200);
    const revoked = first.json.credential as THospitalCredentialView;
    expect(revoked).toMatchObject({ id: credential.id, status: "revoked" });
    expect(revoked.revokedAt).not.toBeNull();
    await expectRefused(token);

    const again = await revoke(admin, credential.id);
    expect(again.status).toBe(200);
    expect((again.json.credential as THospitalCredentialView).revokedAt).toBe(revoked.revokedAt);
    expect(await db().auditLog.count({ where: { targetId: credential.id, action: "fl_credential.revoke" } })).toBe(1);
  });

  it("refuses an expired token and lists it as expired", async () => {
    const issuedAt = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    const { token, credential } = await issueHospitalCredential({ db: db(), actor: admin.actor, input: { label: "expired", validityDays: 2 }, now: issuedAt });
    // Valid while it lasted, refused after.
    await authenticate(token, new Date(issuedAt.getTime() + 1000));
    await expectRefused(token);
    const listed = await callRoute(listCredentials, "GET", "/api/fl/credentials", { cookie: admin.cookie });
    expect((listed.json.credentials as THospitalCredentialView[]).find((candidate) => candidate.id === credential.id)?.status).toBe("expired");
  });

  it("hides one hospital's credentials from another hospital's admin (404, nothing revoked)", async () => {
    const { token, credential } = (await issue(admin, { label: "home only" })).json as unknown as TIssued;
    const before = await snapshot(world.home.hospital.id);
    const response = await revoke(otherHospitalAdmin, credential.id);
    expect(response.status).toBe(404);
    expect(Object.keys(response.json)).toEqual(["error"]);
    expect(response.text).not.toContain("home only");
    expect(await snapshot(world.home.hospital.id)).toEqual(before);
    await authenticate(token);

    const listed = await callRoute(listCredentials, "GET", "/api/fl/credentials", { cookie: otherHospitalAdmin.cookie });
    expect(listed.status).toBe(200);
    expect((listed.json.credentials as THospitalCredentialView[]).map((candidate) => candidate.id)).not.toContain(credential.id);
  });

  it("answers 404 for an unknown or malformed credential id", async () => {
    expect((await revoke(admin, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await revoke(admin, "not-a-uuid")).status).toBe(404);
  });

  it("lets only hospital admins issue, list and revoke (403 by role), changing nothing", async () => {
    const { credential } = (await issue(admin, { label: "role probe" })).json as unknown as TIssued;
    const before = await snapshot(world.home.hospital.id);
    for (const user of [clinician, patient]) {
      const issued = await issue(user, { label: "not allowed" });
      expect(issued.status).toBe(403);
      expect(issued.json.error?.code).toBe("FORBIDDEN");
      expect((await revoke(user, credential.id)).status).toBe(403);
      expect((await callRoute(listCredentials, "GET", "/api/fl/credentials", { cookie: user.cookie })).status).toBe(403);
    }
    expect((await callRoute(listCredentials, "GET", "/api/fl/credentials")).status).toBe(401);
    expect(await snapshot(world.home.hospital.id)).toEqual(before);
  });

  it("rejects bad input with 422 and the field paths, writing nothing", async () => {
    const before = await snapshot(world.home.hospital.id);
    const cases: { body: unknown; paths: string[] }[] = [
      { body: { label: "" }, paths: ["label"] },
      { body: { label: "   " }, paths: ["label"] },
      { body: { label: "x".repeat(81) }, paths: ["label"] },
      { body: { label: "ok", validityDays: 0 }, paths: ["validityDays"] },
      { body: { label: "ok", validityDays: 366 }, paths: ["validityDays"] },
      { body: { label: "ok", validityDays: 1.5 }, paths: ["validityDays"] },
      { body: { label: "ok", validityDays: "30" }, paths: ["validityDays"] },
      { body: { label: "ok", tokenHash: "0".repeat(64) }, paths: ["tokenHash"] },
      { body: { validityDays: 0 }, paths: ["label", "validityDays"] },
    ];
    for (const { body, paths } of cases) {
      const response = await issue(admin, body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.json.error?.code).toBe("VALIDATION_FAILED");
      expect(response.json.error?.fields?.map((field) => field.path).sort(), JSON.stringify(body)).toEqual(paths);
    }
    expect(await snapshot(world.home.hospital.id)).toEqual(before);
  });

  it("refuses an issue or a revoke without the CSRF token", async () => {
    const { credential } = (await issue(admin, { label: "csrf target" })).json as unknown as TIssued;
    const before = await snapshot(world.home.hospital.id);
    const issued = await callRoute(issueCredential, "POST", "/api/fl/credentials", { cookie: admin.cookie, body: { label: "csrf probe" } });
    expect(issued.status).toBe(403);
    expect(issued.json.error?.code).toBe("CSRF_FAILED");
    const revoked = await callRoute(revokeCredential, "DELETE", `/api/fl/credentials/${credential.id}`, { cookie: admin.cookie, params: { credentialId: credential.id } });
    expect(revoked.status).toBe(403);
    expect(await snapshot(world.home.hospital.id)).toEqual(before);
  });
});
