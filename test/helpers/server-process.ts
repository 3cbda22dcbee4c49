import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { readDemoCredentials, type TDemoCredentials } from "@/lib/seed/seed-demo";

export const PROJECT_DIR = path.resolve(import.meta.dirname, "../..");

export type TServerProcess = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

const children: ChildProcess[] = [];
const dataDirs: string[] = [];

export function createTempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pulseguard-e2e-"));
  dataDirs.push(dir);
  return dir;
}

/** `npm start`'s server on a fresh data folder with the seeded demo: its URL, its folder and the demo's sign-ins. */
export async function startDemoServer(env: Record<string, string>): Promise<{ server: TServerProcess; url: string; dataDir: string; credentials: TDemoCredentials }> {
  const dataDir = createTempDataDir();
  const server = startServerProcess({ dataDir, env });
  const url = await waitForUrl(server);
  return { server, url, dataDir, credentials: readDemoCredentials(dataDir)! };
}

/** Starts server.ts as its own process, as `npm start` does (production mode; test/global-setup.ts builds). */
export function startServerProcess(options: { dataDir: string; port?: number; databaseUrl?: string; env?: Record<string, string> }): TServerProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(options.port ?? 0),
    HOST: "127.0.0.1",
    DATA_DIR: options.dataDir,
    LOG_LEVEL: "info",
    NEXT_TELEMETRY_DISABLED: "1",
    ...options.env,
  };
  // The child uses exactly the database it is given: PGlite unless a URL is passed here.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  // One process, as `npm start` runs it: a signal reaches the server itself, not a wrapper.
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: PROJECT_DIR,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function waitForUrl(started: TServerProcess, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /PulseGuard is running at (http:\/\/\S+)/.exec(started.output());
    if (match) return match[1]!;
    if (started.child.exitCode !== null) throw new Error(`server exited early:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`server did not start:\n${started.output()}`);
}

/** A port that was free a moment ago, for a server that must come back on the same address. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

export function cleanUpServerProcesses(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}
