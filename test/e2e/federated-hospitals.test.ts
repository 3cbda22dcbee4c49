// Federated training as it runs for real: `npm start`'s server and one participant process per demo
// hospital (workers/hospital, each with its own simulated cohort and its own credential file). An admin
// issues the credentials and starts a round over the API; the hospitals train, take part in secure
// aggregation and exit; the round publishes version 2; once activated, the server serves it.
import { spawn } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TDemoCredentials } from "@/lib/seed/seed-demo";
import { cleanUpServerProcesses, PROJECT_DIR, startDemoServer, type TServerProcess } from "../helpers/server-process";

let server: TServerProcess;
let url: string;
let dataDir: string;
let demo: TDemoCredentials;

beforeAll(async () => {
  ({ server, url, dataDir, credentials: demo } = await startDemoServer({ SIMULATE: "false", MODEL_REFRESH_INTERVAL_MS: "1000" }));
});

afterAll(() => cleanUpServerProcesses());

type TSession = { cookie: string; csrfToken: string; hospitalId: string };

async function signIn(email: string): Promise<TSession> {
  const response = await fetch(`${url}/api/auth/sign-in`, { method: "POST", headers: { "content-type": "application/json", origin: url }, body: JSON.stringify({ email, password: demo.password }) });
  expect(response.status).toBe(200);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
  const session = (await (await fetch(`${url}/api/auth/session`, { headers: { cookie } })).json()) as { user: { hospitalId: string } };
  return { cookie, csrfToken, hospitalId: session.user.hospitalId };
}

async function call(session: TSession, method: string, route: string, body?: unknown) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { cookie: session.cookie, "x-csrf-token": session.csrfToken, "content-type": "application/json", origin: url },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function runHospital(options: { hospitalId: string; credentialFile: string; profile: number }) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "workers/hospital/index.ts", "--hospital", options.hospitalId, "--server", url, "--credential-file", options.credentialFile, "--profile", String(options.profile), "--strips", "120", "--workers", "1", "--poll-s", "0.5", "--once"],
    { cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { output: () => output, exited: new Promise<number | null>((resolve) => child.once("exit", resolve)) };
}

describe("federated training with hospital processes", () => {
  it("two hospitals train, aggregate securely and publish a version the server then serves", async () => {
    const admins = demo.logins.filter((login) => login.role === "HOSPITAL_ADMIN");
    expect(admins).toHaveLength(2);
    const sessions = await Promise.all(admins.map((admin) => signIn(admin.email)));
    const hospitals = await Promise.all(
      sessions.map(async (session, index) => {
        const issued = await call(session, "POST", "/api/fl/credentials", { label: `e2e site ${index}`, validityDays: 1 });
        expect(issued.status).toBe(201);
        const credentialFile = path.join(dataDir, `hospital-${index}.token`);
        writeFileSync(credentialFile, `${issued.json.token as string}\n`);
        chmodSync(credentialFile, 0o600);
        return runHospital({ hospitalId: session.hospitalId, credentialFile, profile: index });
      }),
    );
    // Each process generates its cohort first; the round may start meanwhile (they join when ready).
    const started = await call(sessions[0]!, "POST", "/api/fl/rounds", { modelName: "ecg-cnn", config: { localEpochs: 1 } });
    expect(started.status).toBe(201);
    const roundId = (started.json.round as { id: string }).id;

    const codes = await Promise.all(hospitals.map((hospital) => hospital.exited));
    expect(codes, hospitals.map((hospital) => hospital.output()).join("\n")).toEqual([0, 0]);
    for (const hospital of hospitals) {
      expect(hospital.output()).toMatch(/round DONE, this hospital UNMASKED/);
      expect(hospital.output()).toMatch(/Hospital participant summary/);
      // The token is read from the file and never printed.
      expect(hospital.output()).not.toMatch(/pgh_/);
    }

    const round = (await call(sessions[1]!, "GET", `/api/fl/rounds/${roundId}`)).json.round as {
      stage: string;
      metrics: { validation: { strips: number; macroF1: number } | null; survivors: number };
      resultVersion: { id: string; version: number; status: string } | null;
    };
    expect(round.stage).toBe("DONE");
    expect(round.metrics.survivors).toBe(2);
    // Both sites' validation splits, summed inside the secure aggregate.
    expect(round.metrics.validation!.strips).toBe(48);
    expect(round.resultVersion).toMatchObject({ version: 2, status: "CANDIDATE" });

    const activated = await call(sessions[1]!, "POST", `/api/models/${round.resultVersion!.id}/activate`);
    expect(activated.status).toBe(200);
    const deadline = Date.now() + 30_000;
    while (!/"version":2,"sha256":"[0-9a-f]{64}".*now serving the active model version/.test(server.output()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.output()).toMatch(/"modelVersion":"ecg-cnn@1\.1\.0".*ECG model loaded and verified/);
    expect(server.output()).toMatch(/now serving the active model version/);
  }, 240_000);
});
