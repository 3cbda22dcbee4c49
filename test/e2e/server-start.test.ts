// `npm start`'s server, started as a real process on a fresh data folder: it migrates, seeds, prints the
// demo logins, serves pages and the API, refuses a second process on the same folder, shuts down
// cleanly on SIGTERM, keeps its data across restarts, and refuses to start over an edited migration.
// Its routes answer expected errors thrown by server.ts's singletons with their own status, not 500.
import { chmodSync, existsSync, lstatSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations } from "@/lib/db/migrate";
import { openDatabase } from "@/lib/db/open-database";
import { readDemoCredentials } from "@/lib/seed/seed-demo";
import { cleanUpServerProcesses, createTempDataDir, startServerProcess, waitForUrl } from "../helpers/server-process";
import { MIGRATIONS_DIR } from "../helpers/test-database";

afterAll(() => cleanUpServerProcesses());

/** Paths under dir (dir included) that anyone but the owner may read, write or enter. */
function findExposed(dir: string): string[] {
  const entries = [dir, ...readdirSync(dir, { recursive: true, encoding: "utf8" }).map((name) => path.join(dir, name))];
  return entries.filter((entry) => {
    const stats = lstatSync(entry);
    return !stats.isSymbolicLink() && (stats.mode & 0o077) !== 0;
  });
}

describe("server start-up and shutdown", () => {
  it("starts on an empty folder, serves, streams the demo watches, and shuts down cleanly; then restarts on the same data", { timeout: 240_000 }, async () => {
    const dataDir = createTempDataDir();
    const first = startServerProcess({ dataDir });
    const url = await waitForUrl(first);
    expect(first.output()).toContain("Demo logins");
    const credentials = readDemoCredentials(dataDir);
    expect(credentials).not.toBeNull();
    for (const login of credentials!.logins) expect(first.output()).toContain(login.email);

    const health = await (await fetch(`${url}/api/health`)).json();
    expect(health).toMatchObject({ status: "ok", database: { kind: "pglite", reachable: true } });
    // The newest committed migration, read from disk rather than through the migrator under test.
    const newest = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort().at(-1);
    expect(health.database.migration).toBe(newest);

    const signInPage = await fetch(`${url}/sign-in`);
    expect(signInPage.status).toBe(200);
    expect(await signInPage.text()).toMatch(/type="password"/);

    const admin = credentials!.logins.find((login) => login.role === "HOSPITAL_ADMIN")!;
    const signIn = await fetch(`${url}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: admin.email, password: credentials!.password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    const landing = await fetch(`${url}/`, { headers: { cookie }, redirect: "manual" });
    expect(landing.headers.get("location")).toMatch(/\/admin$/);

    // The demo simulator streams the demo watches through the device API: their batches arrive.
    const watch = credentials!.devices.find((device) => device.kind === "WATCH")!;
    const lastSeen = async () => {
      const response = await fetch(`${url}/api/patients/${watch.patientId}`, { headers: { cookie } });
      const { patient } = (await response.json()) as { patient: { devices: { id: string; lastSeenAt: string | null }[] } };
      return patient.devices.find((device) => device.id === watch.deviceId)?.lastSeenAt ?? null;
    };
    const streamDeadline = Date.now() + 45_000;
    while ((await lastSeen()) === null && Date.now() < streamDeadline) await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await lastSeen()).not.toBeNull();

    // Expected errors thrown by server.ts's singletons keep their status over HTTP: the ingest writer
    // loads its own copy of lib/errors, not the route bundle's, and its CONFLICT once came back as 500.
    const postBatches = (body: unknown) =>
      fetch(`${url}/api/devices/${watch.deviceId}/heart-rate`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${watch.token}` },
        body: JSON.stringify(body),
      });
    // Days back and a seq far above the simulator's, so the demo stream can never use either.
    const seq = 2_000_000_000 + Math.floor(Math.random() * 100_000_000);
    const batch = { seq, startedAt: new Date(Date.now() - 3 * 24 * 3_600_000).toISOString(), intervalMs: 1_000, bpm: [70, 71, 72] };
    const stored = await postBatches(batch);
    expect(stored.status).toBe(200);
    expect((await postBatches(batch)).status).toBe(200);
    const reused = await postBatches({ ...batch, bpm: [90, 91, 92] });
    expect(reused.status).toBe(409);
    expect((await reused.json()).error.code).toBe("CONFLICT");
    const upload = await postBatches({ batches: [{ ...batch, bpm: [90, 91, 92] }] });
    expect(upload.status).toBe(200);
    expect((await upload.json()).results).toEqual([{ seq, error: expect.objectContaining({ code: "CONFLICT" }) }]);

    // A second process on the same embedded database is refused with a clear message.
    const second = startServerProcess({ dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by process \d+/);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain("shut down cleanly");
    expect(existsSync(path.join(dataDir, "pulseguard.pid"))).toBe(false);
    // The database, the demo credentials and the materialized models are private to this user.
    expect(findExposed(dataDir)).toEqual([]);

    const again = startServerProcess({ dataDir });
    const urlAgain = await waitForUrl(again);
    expect(readDemoCredentials(dataDir)!.password).toBe(credentials!.password);
    const signInAgain = await fetch(`${urlAgain}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: admin.email, password: credentials!.password }),
    });
    expect(signInAgain.status).toBe(200);
    expect(again.output()).not.toMatch(/readable by other users/);
    again.child.kill("SIGTERM");
    expect(await again.exited).toBe(0);

    // A folder left world-readable (an install from before the check): repaired at start, with a log line.
    for (const entry of [dataDir, ...readdirSync(dataDir, { recursive: true, encoding: "utf8" }).map((name) => path.join(dataDir, name))]) {
      if (!lstatSync(entry).isSymbolicLink()) chmodSync(entry, lstatSync(entry).isDirectory() ? 0o777 : 0o666);
    }
    const repaired = startServerProcess({ dataDir });
    const repairedUrl = await waitForUrl(repaired);
    expect(repaired.output()).toMatch(/data folder was readable by other users: made private/);
    expect(findExposed(dataDir)).toEqual([]);
    expect((await fetch(`${repairedUrl}/api/health`)).status).toBe(200);
    repaired.child.kill("SIGTERM");
    await repaired.exited;
  });

  it("refuses to start when an applied migration no longer matches its file", async () => {
    const dataDir = createTempDataDir();
    const database = await openDatabase({ dataDir });
    await database.withRawConnection(async (connection) => {
      await applyMigrations({ connection, migrationsDir: MIGRATIONS_DIR });
      await connection.exec(`UPDATE "_prisma_migrations" SET checksum = repeat('0', 64)`);
    });
    await database.close();

    const started = startServerProcess({ dataDir });
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/Migration \d{14}_init was edited after it was applied/);
  });
});
