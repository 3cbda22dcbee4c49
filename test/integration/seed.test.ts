import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getDeviceMe } from "@/app/api/devices/me/route";
import { POST as signInPost } from "@/app/api/auth/sign-in/route";
import { verifyPassword } from "@/lib/auth/password";
import { applyMigrations } from "@/lib/db/migrate";
import { openDatabase, type TDatabase } from "@/lib/db/open-database";
import { DEMO_CREDENTIALS_FILE, formatDemoLogins, readDemoCredentials, seedDemoIfEmpty, type TDemoCredentials } from "@/lib/seed/seed-demo";
import { callRoute } from "../helpers/call-route";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { MIGRATIONS_DIR } from "../helpers/test-database";

// The seed only runs on an empty database, so this file owns a fresh embedded one.
let database: TDatabase;
let dataDir: string;
let credentials: TDemoCredentials;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "pulseguard-seed-"));
  database = await openDatabase({ dataDir: "memory" });
  await database.withRawConnection((connection) => applyMigrations({ connection, migrationsDir: MIGRATIONS_DIR }));
  useDatabaseInServerContext(database);
  const seeded = await seedDemoIfEmpty({ db: database.prisma, dataDir });
  expect(seeded).not.toBeNull();
  credentials = seeded!;
});

afterAll(async () => {
  await database?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function countAll(db: TDatabase["prisma"]) {
  return {
    hospitals: await db.hospital.count(),
    users: await db.user.count(),
    patients: await db.patient.count(),
    careTeam: await db.careTeamMember.count(),
    devices: await db.device.count(),
    sessions: await db.session.count(),
  };
}

describe("seedDemoIfEmpty", () => {
  it("creates two hospitals, each with one admin, two clinicians and three patients", async () => {
    const db = database.prisma;
    const hospitals = await db.hospital.findMany({ include: { users: true, patients: true } });
    expect(hospitals).toHaveLength(2);
    for (const hospital of hospitals) {
      const roles = hospital.users.map((user) => user.role);
      expect(roles.filter((role) => role === "HOSPITAL_ADMIN")).toHaveLength(1);
      expect(roles.filter((role) => role === "CLINICIAN")).toHaveLength(2);
      expect(roles.filter((role) => role === "PATIENT")).toHaveLength(3);
      expect(hospital.patients).toHaveLength(3);
    }
  });

  it("gives every patient a watch and a care team of clinicians from their own hospital, ranked from 0", async () => {
    const patients = await database.prisma.patient.findMany({
      include: { devices: true, careTeam: { include: { clinician: true }, orderBy: { rank: "asc" } }, user: true },
    });
    expect(patients).toHaveLength(6);
    for (const patient of patients) {
      expect(patient.user.role).toBe("PATIENT");
      expect(patient.user.hospitalId).toBe(patient.hospitalId);
      expect(patient.devices.filter((device) => device.kind === "WATCH")).toHaveLength(1);
      expect(patient.devices.every((device) => device.revokedAt === null)).toBe(true);
      expect(patient.careTeam.length).toBeGreaterThanOrEqual(1);
      expect(patient.careTeam.map((member) => member.rank)).toEqual(patient.careTeam.map((_, index) => index));
      for (const member of patient.careTeam) {
        expect(member.clinician.role).toBe("CLINICIAN");
        expect(member.clinician.hospitalId).toBe(patient.hospitalId);
      }
    }
    expect(patients.some((patient) => patient.devices.some((device) => device.kind === "CGM"))).toBe(true);
  });

  it("returns credentials that match the database and hashes each user with its own salt", async () => {
    const users = await database.prisma.user.findMany({ omit: { passwordHash: false } });
    expect(credentials.logins.map((login) => login.email).sort()).toEqual(users.map((user) => user.email).sort());
    expect(new Set(users.map((user) => user.passwordHash)).size).toBe(users.length);
    expect(users.some((user) => user.passwordHash.includes(credentials.password))).toBe(false);
    expect(await verifyPassword(credentials.password, users[0]!.passwordHash)).toBe(true);
    expect(credentials.password.length).toBeGreaterThanOrEqual(12);

    const devices = await database.prisma.device.findMany();
    expect(credentials.devices.map((device) => device.deviceId).sort()).toEqual(devices.map((device) => device.id).sort());
    expect(new Set(credentials.devices.map((device) => device.token)).size).toBe(devices.length);
  });

  it("writes demo-credentials.json with mode 0600 into the data folder", async () => {
    const file = path.join(dataDir, DEMO_CREDENTIALS_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(credentials);
    expect(readDemoCredentials(dataDir)).toEqual(credentials);
  });

  it("lets a seeded login of each role sign in through the sign-in route with the password from the file", async () => {
    const fromFile = readDemoCredentials(dataDir)!;
    const users = await database.prisma.user.findMany({ select: { id: true, email: true } });
    // One login per role is enough to prove the file and the hashes agree; each is a full scrypt check.
    const sample = ["HOSPITAL_ADMIN", "CLINICIAN", "PATIENT"].map((role) => fromFile.logins.find((login) => login.role === role)!);
    for (const login of sample) {
      const response = await callRoute(signInPost, "POST", "/api/auth/sign-in", {
        body: { email: login.email, password: fromFile.password },
        clientAddress: "192.0.2.10",
      });
      expect(response.status, login.email).toBe(200);
      expect(response.json.userId).toBe(users.find((user) => user.email === login.email)!.id);
    }
  });

  it("lets every device token in the file authenticate as its device", async () => {
    for (const device of readDemoCredentials(dataDir)!.devices) {
      const response = await callRoute(getDeviceMe, "GET", "/api/devices/me", { bearer: device.token });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ device: { id: device.deviceId, kind: device.kind, patientId: device.patientId } });
    }
  });

  it("does nothing on a second call: returns null, creates no rows and keeps the file", async () => {
    const before = await countAll(database.prisma);
    const fileBefore = await readFile(path.join(dataDir, DEMO_CREDENTIALS_FILE), "utf8");
    expect(await seedDemoIfEmpty({ db: database.prisma, dataDir })).toBeNull();
    expect(await countAll(database.prisma)).toEqual(before);
    expect(await readFile(path.join(dataDir, DEMO_CREDENTIALS_FILE), "utf8")).toBe(fileBefore);
  });

  it("formatDemoLogins lists every email and the shared password", () => {
    const text = formatDemoLogins(credentials);
    expect(credentials.logins).toHaveLength(12);
    for (const login of credentials.logins) {
      const line = text.split("\n").find((candidate) => candidate.includes(login.email));
      expect(line, login.email).toBeDefined();
      expect(line).toContain(login.role);
      expect(line).toContain(login.hospital);
    }
    expect(text).toContain(credentials.password);
    expect(text).not.toContain("pgd_");
  });
});
