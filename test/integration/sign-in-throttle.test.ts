// The sign-in throttle under concurrency: a burst of guesses for one account, all sent at once, gets at
// most ACCOUNT_ADDRESS_MAX_FAILURES of them evaluated (issue 18, finding 5: check-then-act let 39 of 40 through).
// Runs on embedded PGlite, and on PostgreSQL (DATABASE_URL) where the requests really run in parallel.
import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as signInPost } from "@/app/api/auth/sign-in/route";
import { ACCOUNT_ADDRESS_MAX_FAILURES, ADDRESS_MAX_FAILURES, throttleKeysFor } from "@/lib/auth/login-throttle";
import { verifyPassword } from "@/lib/auth/password";
import type { TDatabase } from "@/lib/db/open-database";
import { callRoute } from "../helpers/call-route";
import { createHospital, createUser, TEST_PASSWORD } from "../helpers/factories";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { createTestDatabase } from "../helpers/test-database";

// Every password verification is one guess evaluated: counting them is what the finding is about.
vi.mock("@/lib/auth/password", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/auth/password")>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});

let database: TDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabaseInServerContext(database);
});

afterAll(async () => {
  await database?.close();
});

const newClientAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const signIn = (body: unknown, clientAddress: string) => callRoute(signInPost, "POST", "/api/auth/sign-in", { body, clientAddress });

describe("sign-in throttle under concurrent guesses", () => {
  it(`40 concurrent wrong passwords for one account: at most ${ACCOUNT_ADDRESS_MAX_FAILURES} evaluated, the rest 429, the account backing off at that address only`, async () => {
    const hospital = await createHospital(database.prisma);
    const user = await createUser(database.prisma, { hospitalId: hospital.id, role: "CLINICIAN" });
    const attacker = newClientAddress();
    vi.mocked(verifyPassword).mockClear();

    const responses = await Promise.all(Array.from({ length: 40 }, (_, guess) => signIn({ email: user.email, password: `guess ${guess}` }, attacker)));

    const evaluated = vi.mocked(verifyPassword).mock.calls.length;
    expect(evaluated).toBeLessThanOrEqual(ACCOUNT_ADDRESS_MAX_FAILURES);
    expect(evaluated).toBeGreaterThan(0);
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(evaluated);
    expect(statuses.filter((status) => status === 429)).toHaveLength(40 - evaluated);
    for (const response of responses.filter((candidate) => candidate.status === 429)) expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);

    // The right password is refused too, unevaluated, from the attacker's address...
    const locked = await signIn({ email: user.email, password: TEST_PASSWORD }, attacker);
    expect(locked.status).toBe(429);
    expect(vi.mocked(verifyPassword).mock.calls.length).toBe(evaluated);
    expect(await database.prisma.session.count({ where: { userId: user.id } })).toBe(0);
    // ...but not from the owner's (changed by issue 18, finding 6: this used to be 429 from anywhere).
    expect((await signIn({ email: user.email, password: TEST_PASSWORD }, newClientAddress())).status).toBe(200);
  });

  it(`a burst from one address over many accounts: at most ${ADDRESS_MAX_FAILURES} evaluated`, async () => {
    const hospital = await createHospital(database.prisma);
    const attacker = newClientAddress();
    vi.mocked(verifyPassword).mockClear();
    // Unknown accounts cost the same evaluation (a dummy hash), so they count against the address alike.
    const responses = await Promise.all(
      Array.from({ length: ADDRESS_MAX_FAILURES + 20 }, (_, index) => signIn({ email: `spray-${hospital.id.slice(0, 8)}-${index}@test.example`, password: "guess" }, attacker)),
    );
    expect(vi.mocked(verifyPassword).mock.calls.length).toBeLessThanOrEqual(ADDRESS_MAX_FAILURES);
    expect(responses.filter((response) => response.status === 429).length).toBeGreaterThanOrEqual(20);
  });

  it("a successful sign-in is not counted as a failure of its address", async () => {
    const hospital = await createHospital(database.prisma);
    const address = newClientAddress();
    const users = await Promise.all(Array.from({ length: 3 }, () => createUser(database.prisma, { hospitalId: hospital.id, role: "CLINICIAN" })));
    for (const user of users) expect((await signIn({ email: user.email, password: TEST_PASSWORD }, address)).status).toBe(200);
    const addressKey = throttleKeysFor(users[0]!.email, address)[1]!.key;
    const row = await database.prisma.loginThrottle.findUnique({ where: { key: addressKey } });
    expect(row?.failures ?? 0).toBe(0);
  });
});
