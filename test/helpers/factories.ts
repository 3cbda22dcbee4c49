import { randomUUID } from "node:crypto";
import type { TUserActor } from "@/lib/auth/actor";
import { createDeviceToken } from "@/lib/auth/authenticate-device";
import { hashPassword } from "@/lib/auth/password";
import { createSession, getSessionActor } from "@/lib/auth/sessions";
import type { TDb } from "@/lib/db/create-prisma-client";

export const TEST_PASSWORD = "correct horse battery staple";
let cachedHash: Promise<string> | undefined;
// One scrypt hash shared by factory users keeps the suite fast; sign-in tests hash their own.
function testPasswordHash() {
  cachedHash ??= hashPassword(TEST_PASSWORD);
  return cachedHash;
}

const unique = () => randomUUID().slice(0, 8);

export async function createHospital(db: TDb, name = `Hospital ${unique()}`) {
  return db.hospital.create({ data: { name } });
}

export async function createUser(db: TDb, options: { hospitalId: string; role: "PATIENT" | "CLINICIAN" | "HOSPITAL_ADMIN"; name?: string }) {
  const id = unique();
  return db.user.create({
    data: {
      email: `${options.role.toLowerCase()}-${id}@test.example`,
      passwordHash: await testPasswordHash(),
      role: options.role,
      displayName: options.name ?? `${options.role} ${id}`,
      hospitalId: options.hospitalId,
    },
  });
}

export async function createPatient(db: TDb, options: { hospitalId: string; name?: string }) {
  const name = options.name ?? `Patient ${unique()}`;
  const user = await createUser(db, { hospitalId: options.hospitalId, role: "PATIENT", name });
  const patient = await db.patient.create({ data: { userId: user.id, hospitalId: options.hospitalId, displayName: name } });
  return { user, patient };
}

export async function assignToCareTeam(db: TDb, options: { patientId: string; clinicianId: string; rank?: number }) {
  return db.careTeamMember.create({ data: { patientId: options.patientId, clinicianId: options.clinicianId, rank: options.rank ?? 0 } });
}

export async function createDevice(db: TDb, options: { patientId: string; kind?: "WATCH" | "CGM" }) {
  const { token, tokenHash } = createDeviceToken();
  const device = await db.device.create({ data: { patientId: options.patientId, kind: options.kind ?? "WATCH", label: "test watch", tokenHash } });
  return { device, token };
}

export type TSignedIn = { actor: TUserActor; cookie: string; csrfToken: string };

export async function signInAs(db: TDb, userId: string): Promise<TSignedIn> {
  const session = await createSession({ db, userId, ttlMs: 3_600_000, now: new Date() });
  const actor = await getSessionActor({ db, token: session.token });
  if (!actor) throw new Error("test session did not resolve");
  return { actor, cookie: `pg_session=${session.token}`, csrfToken: session.csrfToken };
}

/**
 * Two hospitals with every kind of actor the policy distinguishes: a patient and their care-team
 * clinician, a clinician of the same hospital who is not on the team, the hospital's admin, and the
 * same set again in another hospital.
 */
export async function createWorld(db: TDb) {
  const build = async () => {
    const hospital = await createHospital(db);
    const admin = await createUser(db, { hospitalId: hospital.id, role: "HOSPITAL_ADMIN" });
    const clinician = await createUser(db, { hospitalId: hospital.id, role: "CLINICIAN" });
    const otherClinician = await createUser(db, { hospitalId: hospital.id, role: "CLINICIAN" });
    const { user: patientUser, patient } = await createPatient(db, { hospitalId: hospital.id });
    const { patient: otherPatient } = await createPatient(db, { hospitalId: hospital.id });
    await assignToCareTeam(db, { patientId: patient.id, clinicianId: clinician.id });
    await assignToCareTeam(db, { patientId: otherPatient.id, clinicianId: otherClinician.id });
    const { device, token: deviceToken } = await createDevice(db, { patientId: patient.id });
    return { hospital, admin, clinician, otherClinician, patientUser, patient, otherPatient, device, deviceToken };
  };
  const home = await build();
  const away = await build();
  return { home, away };
}

/** An open alert written directly (the lifecycle under test is in lib/alerts; this is only its input). */
export async function createAlert(
  db: TDb,
  options: { patientId: string; hospitalId: string; condition?: string; severity?: "CRITICAL" | "URGENT" | "WARNING"; nextEscalationAt?: Date | null },
) {
  return db.alert.create({
    data: {
      patientId: options.patientId,
      hospitalId: options.hospitalId,
      condition: options.condition ?? "tachycardia",
      severity: options.severity ?? "URGENT",
      source: "WATCH_SCREEN",
      evidence: { test: true },
      nextEscalationAt: options.nextEscalationAt ?? null,
    },
  });
}
