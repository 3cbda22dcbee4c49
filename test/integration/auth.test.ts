import { randomInt } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as getDeviceMe } from "@/app/api/devices/me/route";
import { POST as registerDevicePost } from "@/app/api/patients/[patientId]/devices/route";
import { GET as getSession } from "@/app/api/auth/session/route";
import { POST as signInPost } from "@/app/api/auth/sign-in/route";
import { POST as signOutPost } from "@/app/api/auth/sign-out/route";
import {
  ACCOUNT_ADDRESS_MAX_FAILURES,
  ACCOUNT_ANY_ADDRESS_MAX_FAILURES,
  BACKOFF_BASE_MS,
  BACKOFF_MAX_MS,
  BACKOFF_RESET_MS,
  reserveLoginAttempt,
  THROTTLE_WINDOW_MS,
  throttleKeysFor,
} from "@/lib/auth/login-throttle";
import { createSession, getSessionActor, SESSION_COOKIE } from "@/lib/auth/sessions";
import { hashToken } from "@/lib/auth/tokens";
import type { TDatabase } from "@/lib/db/open-database";
import { callRoute, type TCallOptions } from "../helpers/call-route";
import { createDevice, createHospital, createPatient, createUser, signInAs, TEST_PASSWORD } from "../helpers/factories";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { createTestDatabase } from "../helpers/test-database";

let database: TDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

beforeEach(() => {
  useDatabaseInServerContext(database);
});

afterAll(async () => {
  await database?.close();
});

// Every test signs in from its own address, so the per-address limit never couples tests (or runs
// against a shared PostgreSQL, where throttle rows outlive a run).
const newClientAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

async function createAccount(role: "PATIENT" | "CLINICIAN" | "HOSPITAL_ADMIN" = "CLINICIAN") {
  const hospital = await createHospital(database.prisma);
  return createUser(database.prisma, { hospitalId: hospital.id, role });
}

function signInRequest(body: unknown, options: TCallOptions = {}) {
  return callRoute(signInPost, "POST", "/api/auth/sign-in", { body, clientAddress: newClientAddress(), ...options });
}

function cookieAttributes(headers: Headers): string[] {
  const header = headers.get("set-cookie");
  expect(header).toBeTruthy();
  return header!.split(";").map((part) => part.trim());
}

function sessionCookieFrom(headers: Headers): string {
  const [pair] = cookieAttributes(headers);
  expect(pair).toMatch(new RegExp(`^${SESSION_COOKIE}=.+`));
  return pair!;
}

describe("POST /api/auth/sign-in", () => {
  it("signs in with the right password: csrf token, session cookie and a stored token hash", async () => {
    const user = await createAccount();
    const response = await signInRequest({ email: user.email, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.json.userId).toBe(user.id);
    expect(response.json.csrfToken).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/));
    expect(response.headers.get("cache-control")).toBe("no-store");
    const expiresInMs = Date.parse(response.json.expiresAt as string) - Date.now();
    expect(expiresInMs).toBeGreaterThan(12 * 3_600_000 - 60_000);
    expect(expiresInMs).toBeLessThanOrEqual(12 * 3_600_000);

    const attributes = cookieAttributes(response.headers);
    expect(attributes).toContain("HttpOnly");
    expect(attributes).toContain("SameSite=Lax");
    expect(attributes).toContain("Path=/");
    expect(attributes).toContain(`Max-Age=${12 * 3600}`);
    expect(attributes.some((attribute) => /^secure$/i.test(attribute))).toBe(false);

    const token = sessionCookieFrom(response.headers).slice(SESSION_COOKIE.length + 1);
    const sessions = await database.prisma.session.findMany({ where: { userId: user.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.tokenHash).toBe(hashToken(token));
    expect(sessions[0]!.tokenHash).not.toBe(token);
    expect(sessions[0]!.csrfToken).toBe(response.json.csrfToken);
    expect(await database.prisma.auditLog.count({ where: { action: "auth.sign_in", targetId: user.id } })).toBe(1);
  });

  it("accepts the email in any case and with surrounding spaces", async () => {
    const user = await createAccount();
    const response = await signInRequest({ email: `  ${user.email.toUpperCase()} `, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.json.userId).toBe(user.id);
  });

  it("marks the cookie Secure when the public origin is https", async () => {
    useDatabaseInServerContext(database, { PUBLIC_ORIGIN: "https://pulseguard.example" });
    const user = await createAccount();
    const response = await signInRequest({ email: user.email, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    expect(cookieAttributes(response.headers)).toContain("Secure");
  });

  it("answers an unknown email and a wrong password with the same status and byte-identical body", async () => {
    const user = await createAccount();
    const wrongPassword = await signInRequest({ email: user.email, password: "not the password" });
    const unknownEmail = await signInRequest({ email: `nobody-${randomInt(1e9)}@test.example`, password: TEST_PASSWORD });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(unknownEmail.text).toBe(wrongPassword.text);
    expect(wrongPassword.json.error?.code).toBe("INVALID_CREDENTIALS");
    expect(wrongPassword.headers.get("set-cookie")).toBeNull();
    expect(unknownEmail.headers.get("set-cookie")).toBeNull();
    expect(await database.prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });

  // Changed by issue 18, finding 6: the owner used to be locked out from every address too.
  it(`backs off an account at one address after ${ACCOUNT_ADDRESS_MAX_FAILURES} wrong passwords, even for the right one, while its owner signs in from another`, async () => {
    const victim = await createAccount();
    const bystander = await createAccount();
    const attacker = newClientAddress();
    for (let attempt = 0; attempt < ACCOUNT_ADDRESS_MAX_FAILURES; attempt++) {
      const response = await signInRequest({ email: victim.email, password: `guess ${attempt}` }, { clientAddress: attacker });
      expect(response.status).toBe(401);
    }

    const locked = await signInRequest({ email: victim.email, password: TEST_PASSWORD }, { clientAddress: attacker });
    expect(locked.status).toBe(429);
    expect(locked.json.error?.code).toBe("THROTTLED");
    const retryAfterS = Number(locked.headers.get("retry-after"));
    expect(retryAfterS).toBeGreaterThan(0);
    expect(retryAfterS).toBeLessThanOrEqual(BACKOFF_BASE_MS / 1000);
    expect(locked.headers.get("set-cookie")).toBeNull();
    // More guesses from the attacker's address change nothing for the owner elsewhere.
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await signInRequest({ email: victim.email, password: `more ${attempt}` }, { clientAddress: attacker })).status).toBe(429);
    }

    // The owner, from their own address, signs in; so does another account.
    const owner = await signInRequest({ email: victim.email, password: TEST_PASSWORD });
    expect(owner.status).toBe(200);
    const other = await signInRequest({ email: bystander.email, password: TEST_PASSWORD });
    expect(other.status).toBe(200);
    // The owner's success does not lift the back-off the attacker's address earned.
    expect((await signInRequest({ email: victim.email, password: TEST_PASSWORD }, { clientAddress: attacker })).status).toBe(429);
  });

  it("throttles unknown emails the same way, so a lock does not reveal that an account exists", async () => {
    const email = `ghost-${randomInt(1e9)}@test.example`;
    const address = newClientAddress();
    for (let attempt = 0; attempt < ACCOUNT_ADDRESS_MAX_FAILURES; attempt++) {
      expect((await signInRequest({ email, password: `guess ${attempt}` }, { clientAddress: address })).status).toBe(401);
    }
    const locked = await signInRequest({ email, password: "guess again" }, { clientAddress: address });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("clears the failure count after a successful sign-in", async () => {
    const user = await createAccount();
    const address = newClientAddress();
    for (let attempt = 0; attempt < ACCOUNT_ADDRESS_MAX_FAILURES - 1; attempt++) {
      expect((await signInRequest({ email: user.email, password: "wrong" }, { clientAddress: address })).status).toBe(401);
    }
    expect((await signInRequest({ email: user.email, password: TEST_PASSWORD }, { clientAddress: address })).status).toBe(200);
    // Were the count kept, this failure would be the fifth and lock the account.
    expect((await signInRequest({ email: user.email, password: "wrong" }, { clientAddress: address })).status).toBe(401);
    expect((await signInRequest({ email: user.email, password: TEST_PASSWORD }, { clientAddress: address })).status).toBe(200);
  });

  it("refuses a disabled user with the same answer as a wrong password", async () => {
    const user = await createAccount();
    const wrongPassword = await signInRequest({ email: user.email, password: "not the password" });
    await database.prisma.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    const disabled = await signInRequest({ email: user.email, password: TEST_PASSWORD });
    expect(disabled.status).toBe(401);
    expect(disabled.text).toBe(wrongPassword.text);
    expect(await database.prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it("refuses a sign-in posted from another site's Origin (login CSRF)", async () => {
    const user = await createAccount();
    for (const origin of ["https://evil.example", "http://localhost:3000.evil.example", "null"]) {
      const response = await signInRequest({ email: user.email, password: TEST_PASSWORD }, { headers: { origin } });
      expect(response.status).toBe(403);
      expect(response.json.error?.code).toBe("CSRF_FAILED");
    }
    expect(await database.prisma.session.count({ where: { userId: user.id } })).toBe(0);
    const sameOrigin = await signInRequest({ email: user.email, password: TEST_PASSWORD }, { headers: { origin: "http://localhost:3000" } });
    expect(sameOrigin.status).toBe(200);
  });

  it("checks the Origin against PUBLIC_ORIGIN, not the Host header, when it is set", async () => {
    useDatabaseInServerContext(database, { PUBLIC_ORIGIN: "https://pulseguard.example" });
    const user = await createAccount();
    const body = { email: user.email, password: TEST_PASSWORD };
    // The Host header (localhost:3000) is what a proxy forwards; the public origin is what browsers send.
    expect((await signInRequest(body, { headers: { origin: "http://localhost:3000" } })).status).toBe(403);
    expect((await signInRequest(body, { headers: { origin: "https://pulseguard.example" } })).status).toBe(200);
  });

  it("refuses an Origin that matches PUBLIC_ORIGIN's host but not its scheme", async () => {
    // An origin is scheme + host + port: a plain-http page on the same host (e.g. injected by a network
    // attacker before HSTS applies) is another origin and must not be able to post a sign-in.
    useDatabaseInServerContext(database, { PUBLIC_ORIGIN: "https://pulseguard.example" });
    const user = await createAccount();
    const response = await signInRequest({ email: user.email, password: TEST_PASSWORD }, { headers: { origin: "http://pulseguard.example" } });
    expect(response.status).toBe(403);
    expect(response.json.error?.code).toBe("CSRF_FAILED");
  });
});

describe("sessions through the routes", () => {
  async function signInThroughRoute() {
    const user = await createAccount("HOSPITAL_ADMIN");
    const response = await signInRequest({ email: user.email, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    return { user, cookie: sessionCookieFrom(response.headers), csrfToken: response.json.csrfToken as string };
  }

  it("GET /api/auth/session returns the user and never a password hash", async () => {
    const { user, cookie, csrfToken } = await signInThroughRoute();
    const response = await callRoute(getSession, "GET", "/api/auth/session", { cookie });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      user: { id: user.id, role: "HOSPITAL_ADMIN", displayName: user.displayName, email: user.email, hospitalId: user.hospitalId, patientId: null },
      csrfToken,
    });
    expect(response.text).not.toContain("passwordHash");
    expect(response.text).not.toContain("scrypt$");
    expect(response.text).not.toContain("tokenHash");
  });

  it("answers 401 without a cookie or with an unknown token", async () => {
    expect((await callRoute(getSession, "GET", "/api/auth/session")).status).toBe(401);
    const unknown = await callRoute(getSession, "GET", "/api/auth/session", { cookie: `${SESSION_COOKIE}=not-a-session` });
    expect(unknown.status).toBe(401);
    expect(unknown.json.error?.code).toBe("UNAUTHENTICATED");
  });

  it("refuses a mutation with the cookie but a missing or wrong CSRF token", async () => {
    const { cookie, csrfToken } = await signInThroughRoute();
    const other = await signInThroughRoute();
    for (const sent of [undefined, "wrong", other.csrfToken, `${csrfToken}x`]) {
      const response = await callRoute(signOutPost, "POST", "/api/auth/sign-out", { cookie, csrfToken: sent });
      expect(response.status).toBe(403);
      expect(response.json.error?.code).toBe("CSRF_FAILED");
    }
    // None of them signed the user out.
    expect((await callRoute(getSession, "GET", "/api/auth/session", { cookie })).status).toBe(200);
  });

  it("refuses a data-changing route without the CSRF token and writes nothing", async () => {
    const hospital = await createHospital(database.prisma);
    const admin = await createUser(database.prisma, { hospitalId: hospital.id, role: "HOSPITAL_ADMIN" });
    const { patient } = await createPatient(database.prisma, { hospitalId: hospital.id });
    const { cookie } = await signInAs(database.prisma, admin.id);
    const response = await callRoute(registerDevicePost, "POST", `/api/patients/${patient.id}/devices`, {
      params: { patientId: patient.id },
      cookie,
      body: { kind: "WATCH", label: "forged" },
    });
    expect(response.status).toBe(403);
    expect(response.json.error?.code).toBe("CSRF_FAILED");
    expect(await database.prisma.device.count({ where: { patientId: patient.id } })).toBe(0);
  });

  it("sign-out deletes the session and clears the cookie", async () => {
    const { user, cookie, csrfToken } = await signInThroughRoute();
    const response = await callRoute(signOutPost, "POST", "/api/auth/sign-out", { cookie, csrfToken });
    expect(response.status).toBe(200);
    const attributes = cookieAttributes(response.headers);
    expect(attributes[0]).toBe(`${SESSION_COOKIE}=`);
    expect(attributes).toContain("Max-Age=0");
    expect(attributes).toContain("HttpOnly");

    expect((await callRoute(getSession, "GET", "/api/auth/session", { cookie })).status).toBe(401);
    expect(await database.prisma.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await database.prisma.auditLog.count({ where: { action: "auth.sign_out", actorId: user.id } })).toBe(1);
  });

  it("stops accepting a session once its user is disabled", async () => {
    const { user, cookie } = await signInThroughRoute();
    await database.prisma.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect((await callRoute(getSession, "GET", "/api/auth/session", { cookie })).status).toBe(401);
  });
});

describe("session expiry", () => {
  const HOUR_MS = 3_600_000;

  it("rejects an expired session, in lib and through the route", async () => {
    const user = await createAccount();
    const session = await createSession({ db: database.prisma, userId: user.id, ttlMs: HOUR_MS, now: new Date(Date.now() - 2 * HOUR_MS) });
    expect(await getSessionActor({ db: database.prisma, token: session.token })).toBeNull();
    const response = await callRoute(getSession, "GET", "/api/auth/session", { cookie: `${SESSION_COOKIE}=${session.token}` });
    expect(response.status).toBe(401);
  });

  it("is valid until expiresAt and not at it", async () => {
    const user = await createAccount();
    const start = new Date("2026-03-01T10:00:00.000Z");
    const session = await createSession({ db: database.prisma, userId: user.id, ttlMs: HOUR_MS, now: start });
    expect(session.expiresAt.toISOString()).toBe("2026-03-01T11:00:00.000Z");
    expect(await getSessionActor({ db: database.prisma, token: session.token, now: new Date(start.getTime() + 30_000) })).toMatchObject({ userId: user.id });
    expect(await getSessionActor({ db: database.prisma, token: session.token, now: session.expiresAt })).toBeNull();
  });

  it("ends at a fixed time: using the session does not extend it", async () => {
    const user = await createAccount();
    const start = new Date("2026-03-01T10:00:00.000Z");
    const session = await createSession({ db: database.prisma, userId: user.id, ttlMs: HOUR_MS, now: start });
    const halfway = new Date(start.getTime() + HOUR_MS / 2);
    expect(await getSessionActor({ db: database.prisma, token: session.token, now: halfway })).not.toBeNull();
    const stored = await database.prisma.session.findUniqueOrThrow({ where: { tokenHash: hashToken(session.token) } });
    expect(stored.expiresAt.getTime()).toBe(session.expiresAt.getTime());
    // Used a minute before the end, still refused at the end: a stolen cookie is not kept alive by use.
    const nearEnd = new Date(session.expiresAt.getTime() - 60_000);
    expect(await getSessionActor({ db: database.prisma, token: session.token, now: nearEnd })).not.toBeNull();
    expect(await getSessionActor({ db: database.prisma, token: session.token, now: session.expiresAt })).toBeNull();
  });
});

describe("login throttle windows", () => {
  // Changed by issue 18, finding 6: a fixed 15-minute lock became a back-off that doubles.
  it("starts a new window after THROTTLE_WINDOW_MS, then backs off: each failure past the limit doubles the wait, up to the cap", async () => {
    const db = database.prisma;
    const keys = throttleKeysFor(`window-${randomInt(1e9)}@test.example`, newClientAddress());
    const start = new Date("2026-03-01T10:00:00.000Z");
    const at = (ms: number) => new Date(start.getTime() + ms);
    const fail = async (now: Date) => expect(await reserveLoginAttempt({ db, keys, now })).toBe(0);

    for (let i = 0; i < ACCOUNT_ADDRESS_MAX_FAILURES - 1; i++) await fail(at(i * 1000));
    // The fifth failure falls outside the first window, so it counts as the first of a new one.
    await fail(at(THROTTLE_WINDOW_MS + 5_000));

    let now = at(THROTTLE_WINDOW_MS + 10_000);
    for (let i = 0; i < ACCOUNT_ADDRESS_MAX_FAILURES - 1; i++) await fail(now);
    // The limit is reached: each attempt allowed after a wait earns a wait twice as long, up to the cap.
    const waitsS: number[] = [];
    for (let step = 0; step < 7; step++) {
      const waitS = await reserveLoginAttempt({ db, keys, now });
      waitsS.push(waitS);
      expect(await reserveLoginAttempt({ db, keys, now: new Date(now.getTime() + waitS * 1000 - 1_500) })).toBe(2);
      now = new Date(now.getTime() + waitS * 1000);
      await fail(now);
    }
    const baseS = BACKOFF_BASE_MS / 1000;
    expect(waitsS).toEqual([1, 2, 4, 8, 16, 32, 64].map((factor) => Math.min(BACKOFF_MAX_MS / 1000, baseS * factor)));
    // A day without attempts after the wait forgets the key.
    const waitS = await reserveLoginAttempt({ db, keys, now });
    expect(waitS).toBe(BACKOFF_MAX_MS / 1000);
    now = new Date(now.getTime() + waitS * 1000 + BACKOFF_RESET_MS);
    for (let i = 0; i < ACCOUNT_ADDRESS_MAX_FAILURES - 1; i++) await fail(now);
  });

  it(`backs off an account for every address after ${ACCOUNT_ANY_ADDRESS_MAX_FAILURES} failures spread over many addresses`, async () => {
    const db = database.prisma;
    const email = `spread-${randomInt(1e9)}@test.example`;
    const now = new Date("2026-03-02T10:00:00.000Z");
    for (let i = 0; i < ACCOUNT_ANY_ADDRESS_MAX_FAILURES; i++) {
      expect(await reserveLoginAttempt({ db, keys: throttleKeysFor(email, newClientAddress()), now })).toBe(0);
    }
    expect(await reserveLoginAttempt({ db, keys: throttleKeysFor(email, newClientAddress()), now })).toBe(BACKOFF_BASE_MS / 1000);
    // A refused attempt is given back on the keys counted before the refusing one.
    const address = newClientAddress();
    await reserveLoginAttempt({ db, keys: throttleKeysFor(email, address), now });
    const addressRow = await db.loginThrottle.findUnique({ where: { key: throttleKeysFor(email, address)[1]!.key } });
    expect(addressRow?.failures ?? 0).toBe(0);
  });

  it("stores only hashes of the email and address", () => {
    const keys = throttleKeysFor(" Someone@Example.org ", "192.0.2.7");
    expect(keys.map((key) => key.key).join(" ")).not.toMatch(/someone|example|192\.0\.2\.7/i);
    expect(keys).toEqual(throttleKeysFor("someone@example.org", "192.0.2.7"));
    expect(keys[2]!.key).toBe(throttleKeysFor("someone@example.org", null)[2]!.key);
  });
});

describe("device authentication", () => {
  async function createWornDevice() {
    const hospital = await createHospital(database.prisma);
    const { patient } = await createPatient(database.prisma, { hospitalId: hospital.id });
    const { device, token } = await createDevice(database.prisma, { patientId: patient.id, kind: "CGM" });
    return { patient, device, token };
  }

  it("authenticates a valid device token on GET /api/devices/me", async () => {
    const { patient, device, token } = await createWornDevice();
    const response = await callRoute(getDeviceMe, "GET", "/api/devices/me", { bearer: token });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ device: { id: device.id, kind: "CGM", patientId: patient.id } });
  });

  it("refuses a revoked device", async () => {
    const { device, token } = await createWornDevice();
    await database.prisma.device.update({ where: { id: device.id }, data: { revokedAt: new Date() } });
    const response = await callRoute(getDeviceMe, "GET", "/api/devices/me", { bearer: token });
    expect(response.status).toBe(401);
    expect(response.json.error?.code).toBe("UNAUTHENTICATED");
  });

  it("refuses garbage, missing and non-bearer credentials, and user sessions", async () => {
    const { token } = await createWornDevice();
    const admin = await createAccount("HOSPITAL_ADMIN");
    const { cookie } = await signInAs(database.prisma, admin.id);
    const attempts: TCallOptions[] = [
      {},
      { bearer: "garbage" },
      { bearer: `pgd_${"A".repeat(43)}` },
      { bearer: `${token}x` },
      { bearer: `pgd_${"A".repeat(300)}` },
      { headers: { authorization: `Basic ${token}` } },
      { headers: { authorization: token } },
      { cookie },
    ];
    for (const attempt of attempts) {
      const response = await callRoute(getDeviceMe, "GET", "/api/devices/me", attempt);
      expect(response.status).toBe(401);
    }
  });
});

describe("secret columns", () => {
  it("are omitted by the default Prisma client, also through relations, and readable only when asked", async () => {
    const { device, token } = await (async () => {
      const hospital = await createHospital(database.prisma);
      const { patient } = await createPatient(database.prisma, { hospitalId: hospital.id });
      return createDevice(database.prisma, { patientId: patient.id });
    })();
    const db = database.prisma;

    const readDevice = await db.device.findUniqueOrThrow({ where: { id: device.id } });
    expect(readDevice).not.toHaveProperty("tokenHash");
    expect(device).not.toHaveProperty("tokenHash");
    const patient = await db.patient.findUniqueOrThrow({ where: { id: device.patientId }, include: { devices: true, user: true } });
    expect(patient.devices[0]).not.toHaveProperty("tokenHash");
    expect(patient.user).not.toHaveProperty("passwordHash");
    const user = await db.user.findUniqueOrThrow({ where: { id: patient.userId } });
    expect(user).not.toHaveProperty("passwordHash");
    expect(JSON.stringify(await db.user.findMany({ where: { hospitalId: patient.hospitalId } }))).not.toContain("scrypt$");

    const withSecrets = await db.device.findUniqueOrThrow({ where: { id: device.id }, omit: { tokenHash: false } });
    expect(withSecrets.tokenHash).toBe(hashToken(token));
    const userWithHash = await db.user.findUniqueOrThrow({ where: { id: patient.userId }, omit: { passwordHash: false } });
    expect(userWithHash.passwordHash).toMatch(/^scrypt\$/);
  });
});
