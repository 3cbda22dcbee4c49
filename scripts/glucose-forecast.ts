// The patient's encrypted 30-minute glucose forecast from the command line:
//   npm run glucose:forecast -- --url http://localhost:3000 --email you@example.org --password ... \
//     [--carb-ratio 10] [--correction-factor 50] [--carbs 45@20] [--insulin 4.5@15] [--exercise 30@40:0.6] \
//     [--key-file ~/.config/pulseguard/he-key-....json] [--share]
// --carbs G@M: G grams eaten M minutes ago; --insulin U@M: U units M minutes ago; --exercise D@M:I: D minutes
// of exercise that started M minutes ago at intensity I (0..1). Each may repeat.
//
// The secret key is generated here, stored in a file only you can read (mode 0600), and never sent: the
// server receives public evaluation keys once and then one ciphertext per forecast, and answers with a
// ciphertext that only this key decrypts.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { FORECAST_HORIZON_MIN } from "../lib/glucose-forecast/features";
import { HeApiError, shareForecastFinding, type THeApi } from "../lib/he/he-api-client";
import { loadSeal } from "../lib/he/load-seal";
import { HE_PARAMS } from "../lib/he/params";
import { runEncryptedForecast, type THeKeyStorage } from "../lib/he/run-encrypted-forecast";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:3000" },
    email: { type: "string" },
    password: { type: "string" },
    "key-file": { type: "string" },
    "carb-ratio": { type: "string", default: "10" },
    "correction-factor": { type: "string", default: "50" },
    carbs: { type: "string", multiple: true, default: [] },
    insulin: { type: "string", multiple: true, default: [] },
    exercise: { type: "string", multiple: true, default: [] },
    share: { type: "boolean", default: false },
  },
});

const ZOptions = z.object({
  url: z.url(),
  email: z.email({ message: "--email is required" }),
  password: z.string({ message: "--password is required" }).min(1),
  "key-file": z.string().optional(),
  "carb-ratio": z.coerce.number().min(2).max(50),
  "correction-factor": z.coerce.number().min(10).max(300),
  carbs: z.array(z.string().regex(/^\d+(\.\d+)?@\d+(\.\d+)?$/, "use grams@minutesAgo, e.g. 45@20")),
  insulin: z.array(z.string().regex(/^\d+(\.\d+)?@\d+(\.\d+)?$/, "use units@minutesAgo, e.g. 4.5@15")),
  exercise: z.array(z.string().regex(/^\d+(\.\d+)?@\d+(\.\d+)?:(0|1|0?\.\d+)$/, "use durationMin@minutesAgo:intensity, e.g. 30@40:0.6")),
  share: z.boolean(),
});

const ZKeyFileSchema = z.strictObject({
  paramsId: z.string(),
  origin: z.string(),
  patientId: z.uuid(),
  /** The CKKS secret key, base64. */
  secretKey: z.string(),
  keyFingerprint: z.string().nullable(),
  createdAt: z.string(),
});
type TKeyFile = z.infer<typeof ZKeyFileSchema>;

function fail(message: string): never {
  console.error(`glucose:forecast: ${message}`);
  process.exit(1);
}

const parsedOptions = ZOptions.safeParse(values);
if (!parsedOptions.success) fail(parsedOptions.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
const options = parsedOptions.data;
const origin = new URL(options.url).origin;

async function signIn(): Promise<{ cookie: string; csrfToken: string; patientId: string }> {
  const response = await fetch(new URL("/api/auth/sign-in", origin), {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ email: options.email, password: options.password }),
  });
  if (!response.ok) fail(`sign-in failed (HTTP ${response.status})`);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const session = await fetch(new URL("/api/auth/session", origin), { headers: { cookie } });
  const { user } = (await session.json()) as { user: { role: string; patientId: string | null } };
  if (user.role !== "PATIENT" || !user.patientId) fail("this account is not a patient's: encrypted forecasts are for patients");
  return { cookie, csrfToken, patientId: user.patientId };
}

function defaultKeyFile(): string {
  const safe = `${new URL(origin).host}-${options.email}`.replace(/[^\w.@-]/g, "_");
  return path.join(os.homedir(), ".config", "pulseguard", `he-key-${safe}.json`);
}

function readKeyFile(file: string): TKeyFile | null {
  if (!existsSync(file)) return null;
  const parsed = ZKeyFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) fail(`${file} is not a PulseGuard HE key file`);
  return parsed.data;
}

function writeKeyFile(file: string, content: TKeyFile): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only when it creates the file.
  chmodSync(file, 0o600);
}

/** The key file as the forecast's key storage: one patient per file, only for this server and these parameters. */
function createFileKeyStorage(file: string): THeKeyStorage {
  return {
    async read(patientId) {
      const stored = readKeyFile(file);
      if (!stored || stored.paramsId !== HE_PARAMS.id || stored.origin !== origin || stored.patientId !== patientId) return null;
      return { secretKey: new Uint8Array(Buffer.from(stored.secretKey, "base64")), keyFingerprint: stored.keyFingerprint, createdAt: stored.createdAt };
    },
    async write(record) {
      const isNew = !existsSync(file) || readKeyFile(file)?.secretKey !== Buffer.from(record.secretKey).toString("base64");
      writeKeyFile(file, { ...record, origin, secretKey: Buffer.from(record.secretKey).toString("base64") });
      if (isNew) console.log(`new secret key saved to ${file} (mode 0600); it never leaves this machine`);
    },
  };
}

const parseEvent = (text: string) => text.split(/[@:]/).map(Number) as [number, number, number?];

async function main(): Promise<void> {
  const session = await signIn();
  const api: THeApi = { baseUrl: origin, patientId: session.patientId, headers: { cookie: session.cookie, "x-csrf-token": session.csrfToken } };
  const startedAt = performance.now();
  const result = await runEncryptedForecast({
    seal: await loadSeal(),
    api,
    storage: createFileKeyStorage(options["key-file"] ?? defaultKeyFile()),
    events: {
      carbs: options.carbs.map(parseEvent).map(([grams, minutesAgo]) => ({ grams, minutesAgo })),
      insulin: options.insulin.map(parseEvent).map(([units, minutesAgo]) => ({ units, minutesAgo })),
      exercise: options.exercise.map(parseEvent).map(([durationMin, minutesAgo, intensity]) => ({ durationMin, minutesAgo, intensity: intensity ?? 0.5 })),
    },
    carbRatioGPerU: options["carb-ratio"],
    correctionFactorMgDlPerU: options["correction-factor"],
  });
  if (!result.ok) fail(`cannot forecast: ${result.reason}`);
  if (result.registeredKeyBytes !== null) console.log(`registered evaluation keys with the server (${(result.registeredKeyBytes / 1024).toFixed(0)} KiB, once per key)`);
  console.log(`latest CGM reading: ${Math.round(result.latestMgDl)} mg/dL at ${result.latestAt}`);
  console.log(`forecast for ${result.forecastAt} (+${FORECAST_HORIZON_MIN} min): ${Math.round(result.forecastMgDl)} mg/dL`);
  console.log(`(computed by the server on encrypted data: ${(result.uploadBytes / 1024).toFixed(0)} KiB uploaded, ${(performance.now() - startedAt).toFixed(0)} ms in all; model ${result.modelVersion})`);
  if (!result.finding) return;
  console.log(result.finding === "predicted_low" ? "finding: a LOW (< 70 mg/dL) is forecast within 30 min" : "finding: a HIGH (> 250 mg/dL) is forecast within 30 min");
  if (!options.share) {
    console.log("run with --share to tell your care team (they see the finding, not your values)");
    return;
  }
  try {
    const shared = await shareForecastFinding(api, { finding: result.finding, horizonMin: FORECAST_HORIZON_MIN, forecastAt: result.forecastAt, modelVersion: result.modelVersion });
    console.log(shared.alertId ? "shared with your care team (they see the finding, not your values)" : "not shared: your alert settings switch this alert off");
  } catch (error) {
    if (error instanceof HeApiError && error.status === 404) console.log("this server cannot take shared findings yet (alerts are not available)");
    else throw error;
  }
}

main().catch((error: unknown) => fail(error instanceof HeApiError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : "failed"));
