// Server-only. Demo data for a first start on an empty database: two hospitals with admins, clinicians,
// and patients wearing devices. Passwords and device tokens are random per install, never well-known.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { hashPassword } from "../auth/password";
import { createDeviceToken } from "../auth/authenticate-device";
import { createRandomToken } from "../auth/tokens";
import type { TDb } from "../db/create-prisma-client";

type TDemoHospital = {
  name: string;
  domain: string;
  admin: string;
  clinicians: string[];
  patients: { name: string; birthYear: number; restingBpm: number; timeZone: string; hasCgm: boolean; clinicians: number[] }[];
};

const DEMO_HOSPITALS: TDemoHospital[] = [
  {
    name: "St. Aldric General Hospital",
    domain: "aldric.example",
    admin: "Morgan Reyes",
    clinicians: ["Dr. Amara Okafor", "Dr. Lukas Brandt"],
    patients: [
      { name: "Elena Petrova", birthYear: 1956, restingBpm: 68, timeZone: "Europe/Berlin", hasCgm: true, clinicians: [0, 1] },
      { name: "Samuel Adeyemi", birthYear: 1971, restingBpm: 62, timeZone: "Europe/Berlin", hasCgm: false, clinicians: [0] },
      { name: "Hana Kobayashi", birthYear: 1988, restingBpm: 58, timeZone: "Europe/Berlin", hasCgm: false, clinicians: [1] },
    ],
  },
  {
    name: "Northbridge Heart Institute",
    domain: "northbridge.example",
    admin: "Priya Natarajan",
    clinicians: ["Dr. Tomás Herrera", "Dr. Grace Liu"],
    patients: [
      { name: "Walter Jensen", birthYear: 1949, restingBpm: 72, timeZone: "America/Chicago", hasCgm: true, clinicians: [0] },
      { name: "Aisha Rahman", birthYear: 1994, restingBpm: 64, timeZone: "America/Chicago", hasCgm: false, clinicians: [0, 1] },
      { name: "Noah Fischer", birthYear: 1979, restingBpm: 60, timeZone: "America/Chicago", hasCgm: true, clinicians: [1] },
    ],
  },
];

const ZDemoCredentials = z.object({
  password: z.string(),
  logins: z.array(z.object({ email: z.string(), role: z.string(), name: z.string(), hospital: z.string() })),
  devices: z.array(z.object({ deviceId: z.uuid(), patientId: z.uuid(), kind: z.enum(["WATCH", "CGM"]), token: z.string() })),
});
export type TDemoCredentials = z.infer<typeof ZDemoCredentials>;

export const DEMO_CREDENTIALS_FILE = "demo-credentials.json";

function emailFor(name: string, domain: string): string {
  const local = name.replace(/^Dr\.\s*/, "").toLowerCase().normalize("NFD").replace(/[^a-z ]/g, "").trim().replace(/\s+/g, ".");
  return `${local}@${domain}`;
}

// Arbitrary constant: two instances starting together on an empty PostgreSQL seed once.
const SEED_LOCK_KEY = 7_325_114_894;

/**
 * Seeds the demo when the database has no users. Returns the credentials it created, or null when the
 * database already had data. The credentials file (mode 0600, in the data folder) lets later starts
 * print the logins again and lets the watch simulator find its device tokens.
 */
export async function seedDemoIfEmpty(options: { db: TDb; dataDir: string }): Promise<TDemoCredentials | null> {
  const { db } = options;
  const password = createRandomToken(9);
  const credentials = await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEED_LOCK_KEY})`;
      if ((await tx.user.count()) > 0) return null;
      const result: TDemoCredentials = { password, logins: [], devices: [] };
      for (const hospitalSpec of DEMO_HOSPITALS) {
        const hospital = await tx.hospital.create({ data: { name: hospitalSpec.name } });
        const createUser = async (name: string, role: "PATIENT" | "CLINICIAN" | "HOSPITAL_ADMIN") => {
          const email = emailFor(name, hospitalSpec.domain);
          // Each user gets their own salt even though the demo password is shared.
          const passwordHash = await hashPassword(password);
          result.logins.push({ email, role, name, hospital: hospitalSpec.name });
          return tx.user.create({ data: { email, passwordHash, role, displayName: name, hospitalId: hospital.id } });
        };
        await createUser(hospitalSpec.admin, "HOSPITAL_ADMIN");
        const clinicians: { id: string }[] = [];
        for (const name of hospitalSpec.clinicians) clinicians.push(await createUser(name, "CLINICIAN"));
        for (const spec of hospitalSpec.patients) {
          const user = await createUser(spec.name, "PATIENT");
          const patient = await tx.patient.create({
            data: {
              userId: user.id,
              hospitalId: hospital.id,
              displayName: spec.name,
              birthYear: spec.birthYear,
              restingBpm: spec.restingBpm,
              timeZone: spec.timeZone,
            },
          });
          await tx.careTeamMember.createMany({
            data: spec.clinicians.map((index, rank) => ({ patientId: patient.id, clinicianId: clinicians[index]!.id, rank })),
          });
          const kinds: ("WATCH" | "CGM")[] = spec.hasCgm ? ["WATCH", "CGM"] : ["WATCH"];
          for (const kind of kinds) {
            const { token, tokenHash } = createDeviceToken();
            const device = await tx.device.create({
              data: { patientId: patient.id, kind, label: kind === "WATCH" ? "PulseGuard watch" : "CGM sensor", tokenHash },
            });
            result.devices.push({ deviceId: device.id, patientId: patient.id, kind, token });
          }
        }
      }
      return result;
    },
    // Hashing a dozen passwords with scrypt takes a second or two on a busy machine.
    { timeout: 60_000, maxWait: 60_000 },
  );
  if (credentials) writeDemoCredentials(options.dataDir, credentials);
  return credentials;
}

export function writeDemoCredentials(dataDir: string, credentials: TDemoCredentials): void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, DEMO_CREDENTIALS_FILE);
  writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function readDemoCredentials(dataDir: string): TDemoCredentials | null {
  const file = path.join(dataDir, DEMO_CREDENTIALS_FILE);
  if (!existsSync(file)) return null;
  const parsed = ZDemoCredentials.safeParse(JSON.parse(readFileSync(file, "utf8")));
  return parsed.success ? parsed.data : null;
}

/** The lines `npm start` prints so a new user can sign in. */
export function formatDemoLogins(credentials: TDemoCredentials): string {
  const width = Math.max(...credentials.logins.map((login) => login.email.length));
  const lines = credentials.logins.map((login) => `  ${login.email.padEnd(width)}  ${login.role.padEnd(14)}  ${login.hospital}`);
  return [`Demo logins (password for all: ${credentials.password})`, ...lines].join("\n");
}
