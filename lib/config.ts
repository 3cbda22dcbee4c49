// Server-only. The one place that reads process.env; defaults are the embedded, no-services setup.
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";

function isIpOrCidr(value: string): boolean {
  const [address = "", prefix, ...rest] = value.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32);
}

const ZConfigSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().default("0.0.0.0"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // Unset: embedded PGlite in DATA_DIR. Set: a real PostgreSQL server.
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  DATA_DIR: z.string().default(".data"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Cookies get the Secure flag when the public origin is https (or when forced behind a TLS proxy).
  PUBLIC_ORIGIN: z.string().url().optional(),
  // Proxies whose X-Forwarded-For is believed (comma-separated IPs or CIDRs). Empty: the header is ignored
  // and the socket's peer is the client, since anyone can write the header (lib/http/get-client-address.ts).
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((value) => value.split(",").map((part) => part.trim()).filter((part) => part !== ""))
    .pipe(z.array(z.string().refine(isIpOrCidr, "must be an IP address or CIDR (e.g. 10.0.0.0/8)")).max(100)),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  SEED_DEMO: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  // Back-pressure: device batches waiting to be written beyond this many samples are answered 429.
  INGEST_MAX_QUEUED_SAMPLES: z.coerce.number().int().min(1_000).default(500_000),
  // Group commits in flight at once; unset: 2 on PostgreSQL, 1 on PGlite (create-ingest-writer.ts).
  INGEST_CONCURRENT_FLUSHES: z.coerce.number().int().min(1).max(8).optional(),
  // `npm start` streams the demo watches from an in-process simulator (real clients of the device API).
  SIMULATE: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  SIMULATOR_SCENARIO: z.string().default("lib/sim/scenarios/demo.json"),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  // An unacknowledged critical alert pages the next clinician after the first delay, then every
  // clinician of the hospital after the second (seconds, comma-separated).
  ALERT_ESCALATION_DELAYS_S: z
    .string()
    .default("120,180")
    .transform((value) => value.split(",").map((part) => Number(part.trim())))
    .pipe(z.array(z.number().int().min(1).max(86_400)).min(1).max(2)),
  // A watch that streamed and then stays silent this long raises a stale-device alert.
  STALE_DEVICE_AFTER_MIN: z.coerce.number().int().min(1).max(24 * 60).default(10),
  // The detection cascade at ingest (watch screen, ECG requests, ECG model on worker threads).
  DETECTION: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  // ECG inference threads: one leaves the other core of a 2-core machine to the event loop and database.
  ECG_POOL_SIZE: z.coerce.number().int().min(1).max(16).default(1),
  // How often escalations, stale devices and unanswered ECG requests are swept (every instance sweeps;
  // each action runs once).
  ALERT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  // How often each instance checks the model registry for a newly activated model version.
  MODEL_REFRESH_INTERVAL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  // Debugging latency: logs each pushed alert's stage timestamps (ids and times only), the event loop
  // delay and long database work, at info level (lib/alerts/alert-path-trace.ts; used by bench:alerts).
  // Real recordings (CinC 2017, MIT-BIH, open CGM; ../shared/data's layout) for training, evaluation and
  // the simulator's real ECG strips. Unset: the simulator generates its strips.
  PULSEGUARD_DATA_DIR: z
    .string()
    .optional()
    .transform((value) => (value === "" ? undefined : value)),
  ALERT_PATH_TRACE: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
});

export type TConfig = z.infer<typeof ZConfigSchema> & { dataDirAbsolute: string; secureCookies: boolean };

export function parseConfig(env: Record<string, string | undefined>): TConfig {
  const parsed = ZConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const value = parsed.data;
  return {
    ...value,
    dataDirAbsolute: path.resolve(value.DATA_DIR),
    secureCookies: value.PUBLIC_ORIGIN?.startsWith("https://") ?? false,
  };
}

let cached: TConfig | undefined;

export function getConfig(): TConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
