// `npm start`'s server, started as a real process on a fresh data folder: it migrates, seeds, prints the
// demo logins, serves pages and the API, refuses a second process on the same folder, shuts down
// cleanly on SIGTERM, keeps its data across restarts, and refuses to start over an edited migration.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations } from "@/lib/db/migrate";
import { openDatabase } from "@/lib/db/open-database";
import { readDemoCredentials } from "@/lib/seed/seed-demo";
import { MIGRATIONS_DIR } from "../helpers/test-database";

const PROJECT_DIR = path.resolve(import.meta.dirname, "../..");
const dataDirs: string[] = [];
const newDataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pulseguard-e2e-"));
  dataDirs.push(dir);
  return dir;
};
const children: ChildProcess[] = [];

type TStarted = { child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> };

function startServerProcess(dataDir: string): TStarted {
  const child = spawn(process.execPath, [path.join(PROJECT_DIR, "node_modules/tsx/dist/cli.mjs"), "server.ts"], {
    cwd: PROJECT_DIR,
    // Development mode needs no prior `next build`; production is exercised by CI's build step.
    env: { ...process.env, NODE_ENV: "development", PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "info", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, url: "", output: () => output, exited };
}

async function waitForUrl(started: TStarted): Promise<string> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const match = /PulseGuard is running at (http:\/\/\S+)/.exec(started.output());
    if (match) return match[1]!;
    if (started.child.exitCode !== null) throw new Error(`server exited early:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`server did not start:\n${started.output()}`);
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe("server start-up and shutdown", () => {
  it("starts on an empty folder, serves, and shuts down cleanly; then restarts on the same data", async () => {
    const dataDir = newDataDir();
    const first = startServerProcess(dataDir);
    const url = await waitForUrl(first);
    expect(first.output()).toContain("Demo logins");
    const credentials = readDemoCredentials(dataDir);
    expect(credentials).not.toBeNull();
    for (const login of credentials!.logins) expect(first.output()).toContain(login.email);

    const health = await (await fetch(`${url}/api/health`)).json();
    expect(health).toMatchObject({ status: "ok", database: { kind: "pglite", reachable: true } });
    expect(health.database.migration).toMatch(/^\d{14}_init$/);

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

    // A second process on the same embedded database is refused with a clear message.
    const second = startServerProcess(dataDir);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by process \d+/);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain("shut down cleanly");
    expect(existsSync(path.join(dataDir, "pulseguard.pid"))).toBe(false);

    const again = startServerProcess(dataDir);
    const urlAgain = await waitForUrl(again);
    expect(readDemoCredentials(dataDir)!.password).toBe(credentials!.password);
    const signInAgain = await fetch(`${urlAgain}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: admin.email, password: credentials!.password }),
    });
    expect(signInAgain.status).toBe(200);
    again.child.kill("SIGTERM");
    expect(await again.exited).toBe(0);
  });

  it("refuses to start when an applied migration no longer matches its file", async () => {
    const dataDir = newDataDir();
    const database = await openDatabase({ dataDir });
    await database.withRawConnection(async (connection) => {
      await applyMigrations({ connection, migrationsDir: MIGRATIONS_DIR });
      await connection.exec(`UPDATE "_prisma_migrations" SET checksum = repeat('0', 64)`);
    });
    await database.close();

    const started = startServerProcess(dataDir);
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/Migration \d{14}_init was edited after it was applied/);
  });
});
