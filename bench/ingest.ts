// Heart-rate ingestion benchmark, through the real device API of a real server process:
//   npm run bench:ingest -- [--devices 10000] [--seconds 60] [--transport socket|http] [--db pglite|postgres] [--upload-batches 60]
// 1. load: N watches at 1 Hz (a 10-sample batch every 10 s each), ack latency from due time to ack;
//    then every sample sent is checked against the database (lost, duplicated), the staged batches are
//    measured, compacted into hourly chunks (timed) and measured again;
// 2. throughput: a closed loop of back-to-back 60-sample batches at saturation, as watches draining
//    their offline buffers send them: many batches per request (--upload-batches), each its own seq;
// 3. baseline: the same batches as bare multi-row INSERTs on one connection, in the same run;
//    then the transport ceiling: the same closed loop against a server that only validates and
//    acknowledges (bench/lib/ack-only-server.ts), the most any server behind these clients could reach;
// 4. storage days: two simulated days for a few patients through the production writer and compactor
//    on a database of its own, measured on disk after each (lib/ingest-storage-day.ts).
//    bytesPerPatientDay = the second day's growth of every heart-rate relation per patient (chunks and
//    staging: heap, fsm+vm, TOAST with its index, all indexes, after VACUUM ANALYZE) + the staging
//    bound per watch (the larger of: the staging pages a patient left after the two days, and two
//    compaction periods of batch rows at the bytes per staged row measured in phase 1).
// Prints progress, a table with the machine it ran on, PASS/MISS per target, and last a RESULT line.
import { fork } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import type { TDatabase } from "../lib/db/open-database";
import { compactHeartRate, type TCompactionResult } from "../lib/ingest/compact-heart-rate";
import { MAX_SAMPLES_PER_BATCH } from "../lib/ingest/batch-schemas";
import { COMPACT_EVERY_MS } from "../lib/ingest/start-heart-rate-compactor";
import {
  bytesPerPatientDay,
  createBenchTarget,
  describeDatabaseVersion,
  HEART_RATE_TABLES,
  measureStorage,
  migrate,
  readStoredCounts,
  readTableActivity,
  runBaselineInserts,
  seedWatches,
  type TBaselineResult,
  type TBenchDevice,
  type TBenchTarget,
  tableBytes,
  type TStorage,
  type TTableActivity,
} from "./lib/bench-database";
import { runStorageDays, type TStorageDay } from "./lib/ingest-storage-day";
import { setup as ensureProductionBuild } from "../test/global-setup";
import { killBenchServers, startBenchServer, type TBenchServer, type TFlushStats } from "./lib/bench-server";
import { openClientPool, type TClientPool } from "./lib/device-clients";
import {
  LOAD_SEQ_BASE,
  makeHeartRateBatch,
  runLoadPhase,
  runThroughputPhase,
  THROUGHPUT_SEQ_BASE,
  type TLoadResult,
  type TThroughputResult,
} from "./lib/ingest-phases";
import { createCpuMeter, describeMachine, formatCpu, type TCpuSample } from "./lib/machine";
import { formatBytes, formatInt, formatMs, formatTable, round, sleep, type TLatencySummary } from "./lib/stats";

// The targets this benchmark reports against (they are stated for PostgreSQL).
const TARGET_WATCHES = 10_000;
const TARGET_ACK_P99_MS = 200;
const TARGET_MIN_RATIO = 0.5;
const TARGET_MAX_BYTES_PER_PATIENT_DAY = 200_000;

// A watch sends what it sampled at 1 Hz over the last 10 s.
const LOAD_BATCH_SAMPLES = 10;
const INTERVAL_MS = 1_000;
// Throughput and baseline batches: a minute each, so every batch is one rollup row.
const THROUGHPUT_BATCH_SAMPLES = 60;
const BASELINE_ROWS_PER_STATEMENT = 500;
const BASELINE_SEQ_BASE = 2_000_000;
const DAY_MS = 86_400_000;

const ZOptions = z.object({
  devices: z.coerce.number().int().min(1).max(50_000).default(10_000),
  seconds: z.coerce.number().int().min(10).max(3_600).default(60),
  transport: z.enum(["socket", "http"]).default("socket"),
  db: z.enum(["pglite", "postgres"]).optional(),
  "throughput-devices": z.coerce.number().int().min(1).max(5_000).default(300),
  "throughput-seconds": z.coerce.number().int().min(2).max(600).default(20),
  // Minute batches per request in the throughput phase: a watch draining its buffer sends uploads of
  // many ("heart-rate:batches"); 1 sends each batch alone, as a live watch does. 10 keeps what the 300
  // devices have in flight (180,000 samples) under the server's queue bound (INGEST_MAX_QUEUED_SAMPLES,
  // 500,000), so the loop measures the server, not back-off after 429s.
  "upload-batches": z.coerce.number().int().min(1).max(MAX_SAMPLES_PER_BATCH / 60).default(10),
  "baseline-seconds": z.coerce.number().int().min(1).max(600).default(10),
  // The transport ceiling (socket transport only; 0 skips it).
  "ceiling-seconds": z.coerce.number().int().min(0).max(600).default(10),
  // Patients in the storage-day phase (0 skips it; the storage figure then comes from the load data alone).
  "day-patients": z.coerce.number().int().min(0).max(1_000).default(20),
  "connect-wave": z.coerce.number().int().min(1).max(5_000).default(250),
  "drain-seconds": z.coerce.number().int().min(1).max(600).default(60),
  "timeout-seconds": z.coerce.number().int().min(30).max(7_200).default(600),
  // debug makes the server log every group-commit flush, which the summary then breaks down.
  "server-log-level": z.enum(["warn", "info", "debug"]).default("warn"),
  // A folder for V8 CPU profiles of the server process (see lib/server-cpu-profile.mjs), to find where time goes.
  "server-cpu-prof": z.string().optional(),
});

type TOptions = z.infer<typeof ZOptions> & { db: "pglite" | "postgres" };

function readOptions(): TOptions {
  const { values } = parseArgs({
    options: Object.fromEntries(Object.keys(ZOptions.shape).map((key) => [key, { type: "string" as const }])),
    strict: true,
  });
  const parsed = ZOptions.safeParse(values);
  if (!parsed.success) {
    throw new Error(`Invalid options:\n${parsed.error.issues.map((issue) => `  --${issue.path.join(".")}: ${issue.message}`).join("\n")}`);
  }
  const databaseUrl = process.env.DATABASE_URL;
  const db = parsed.data.db ?? (databaseUrl ? "postgres" : "pglite");
  if (db === "postgres" && !databaseUrl) throw new Error("--db postgres needs DATABASE_URL (a server where a scratch database may be created)");
  return { ...parsed.data, db };
}

const benchStartedAt = performance.now();
const print = (line = "") => process.stdout.write(`${line}\n`);
const step = (line: string) => print(`[${((performance.now() - benchStartedAt) / 1000).toFixed(1).padStart(6)}s] ${line}`);

/** Cleanup actions, run last-registered first, each bounded so one stuck step cannot hang the rest. */
function createCleanup() {
  const actions: { label: string; run: () => Promise<unknown> | unknown }[] = [];
  let running: Promise<void> | undefined;
  return {
    add(label: string, run: () => Promise<unknown> | unknown) {
      actions.push({ label, run });
    },
    runAll() {
      running ??= (async () => {
        while (actions.length > 0) {
          const action = actions.pop()!;
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([
              Promise.resolve(action.run()),
              new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timed out after 45 s")), 45_000))),
            ]);
          } catch (error) {
            process.stderr.write(`cleanup: ${action.label} failed: ${error instanceof Error ? error.message : String(error)}\n`);
          } finally {
            clearTimeout(timer);
          }
        }
      })();
      return running;
    },
  };
}

type TVerification = {
  sentSamples: number;
  ackedSamples: number;
  storedSamples: number;
  /** Sent but not stored (includes batches the bench gave up on without an ack). */
  lost: number;
  /** Acknowledged by the server but not stored: a broken durability promise, whatever the load. */
  lostAfterAck: number;
  duplicated: number;
  duplicateRows: number;
  devicesShort: number;
};

async function verifyStored(
  database: TDatabase,
  devices: TBenchDevice[],
  counts: { sentSamples: Int32Array; ackedSamples: Int32Array },
  seqFrom: number,
  seqTo: number,
): Promise<TVerification> {
  const stored = await database.withRawConnection((connection) => readStoredCounts(connection, seqFrom, seqTo));
  const result: TVerification = { sentSamples: 0, ackedSamples: 0, storedSamples: 0, lost: 0, lostAfterAck: 0, duplicated: 0, duplicateRows: 0, devicesShort: 0 };
  devices.forEach((device, index) => {
    const sent = counts.sentSamples[index] ?? 0;
    const acked = counts.ackedSamples[index] ?? 0;
    const row = stored.get(device.deviceId) ?? { batches: 0, seqs: 0, samples: 0 };
    result.sentSamples += sent;
    result.ackedSamples += acked;
    result.storedSamples += row.samples;
    result.lost += Math.max(0, sent - row.samples);
    result.lostAfterAck += Math.max(0, acked - row.samples);
    result.duplicated += Math.max(0, row.samples - sent);
    result.duplicateRows += row.batches - row.seqs;
    if (row.samples < sent) result.devicesShort += 1;
  });
  return result;
}

type TLoadStorage = { asWritten: TStorage; compacted: TStorage; compaction: TCompactionResult; activity: TTableActivity[] };

/** Storage of the load data as the server left it (staged), then after compacting it here (timed) and VACUUM ANALYZE. */
async function measureLoadStorage(database: TDatabase): Promise<TLoadStorage> {
  return database.withRawConnection(async (connection) => {
    // Read before VACUUM, which resets the dead-row counts.
    const activity = await readTableActivity(connection, ["Device", ...HEART_RATE_TABLES]);
    await connection.exec(`VACUUM ANALYZE ${HEART_RATE_TABLES.map((table) => `"${table}"`).join(", ")}`);
    const asWritten = await measureStorage(connection);
    const compaction = await compactHeartRate({ db: database.prisma });
    await connection.exec(`VACUUM ANALYZE ${HEART_RATE_TABLES.map((table) => `"${table}"`).join(", ")}`);
    const compacted = await measureStorage(connection);
    return { asWritten, compacted, compaction, activity };
  });
}

function describeCounters(counters: TLoadResult["counters"]): string[] {
  const lines = [`acked ${formatInt(counters.acked)} (stored ${formatInt(counters.stored)}, duplicate ${formatInt(counters.duplicate)}), rejected ${formatInt(counters.rejected)}, retries ${formatInt(counters.retries)}`];
  if (counters.retryReasons.size > 0) lines.push(`retry reasons: ${[...counters.retryReasons].map(([reason, count]) => `${reason} ×${count}`).join(", ")}`);
  for (const [reason, count] of counters.rejections) lines.push(`rejected ×${count}: ${reason}`);
  return lines;
}

const latencyText = (latency: TLatencySummary) =>
  `p50 ${formatMs(latency.p50Ms)}  p90 ${formatMs(latency.p90Ms)}  p99 ${formatMs(latency.p99Ms)}  max ${formatMs(latency.maxMs)}  (n=${formatInt(latency.count)})`;

const cpuText = (cpu: TCpuSample) => formatCpu(cpu).replace(/^cpu /, "");

function describeStorage(storage: TStorage): string[][] {
  return storage.relations
    .filter((relation) => relation.bytes > 0)
    .map((relation) => {
      const rows = relation.table === "HeartRateChunk" ? storage.chunkRows : storage.stagedRows;
      const unit = relation.table === "HeartRateChunk" ? "chunk" : "staged";
      return [`      ${relation.name}`, `${formatBytes(relation.bytes)}${rows > 0 ? ` (${(relation.bytes / rows).toFixed(1)} B per ${unit} row)` : ""}`];
    });
}

// Most a watch keeps staged in steady state: one compaction period of batches, plus one more for the
// batches arriving while a run works and for dead rows autovacuum has not yet made reusable.
const STAGED_BATCHES_PER_WATCH = (2 * COMPACT_EVERY_MS) / (LOAD_BATCH_SAMPLES * INTERVAL_MS);

function stagingBoundPerWatch(asWritten: TStorage): number {
  return asWritten.stagedRows > 0 ? (tableBytes(asWritten, "HeartRateStagedBatch") / asWritten.stagedRows) * STAGED_BATCHES_PER_WATCH : Number.NaN;
}

async function main() {
  const options = readOptions();
  const cleanup = createCleanup();
  const hardTimeout = setTimeout(() => {
    process.stderr.write(`bench:ingest: hard timeout of ${options["timeout-seconds"]} s reached; cleaning up\n`);
    void cleanup.runAll().finally(() => process.exit(2));
  }, options["timeout-seconds"] * 1000);
  hardTimeout.unref();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      process.stderr.write(`bench:ingest: ${signal}; cleaning up\n`);
      void cleanup.runAll().finally(() => process.exit(130));
    });
  }
  // Whatever else fails, no server process outlives the benchmark.
  cleanup.add("kill server processes", () => killBenchServers());

  try {
    await runBenchmark(options, cleanup);
  } finally {
    await cleanup.runAll();
    clearTimeout(hardTimeout);
  }
}

async function runBenchmark(options: TOptions, cleanup: ReturnType<typeof createCleanup>) {
  const machine = describeMachine();
  const throughputDevices = Math.min(options["throughput-devices"], options.devices);
  print("PulseGuard ingest benchmark");
  print(`  machine  ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.platform}`);
  print(
    `  plan     load: ${formatInt(options.devices)} watches × 1 Hz over ${options.transport} for ${options.seconds} s; ` +
      `throughput: ${throughputDevices} devices × ${THROUGHPUT_BATCH_SAMPLES}-sample batches, ${options["upload-batches"]} per request, for ${options["throughput-seconds"]} s; ` +
      `baseline: bare INSERT for ${options["baseline-seconds"]} s; db ${options.db}`,
  );

  // Figures from a machine that is busy with something else are not comparable; say so up front.
  const idleMeter = createCpuMeter({ getServerPid: () => undefined });
  await sleep(1_000);
  const busyBefore = idleMeter.sample().machinePct ?? Number.NaN;
  print(`  idle     machine ${Math.round(busyBefore)}% busy in the second before the run${busyBefore > 20 ? "  ** other processes are using the CPU: figures will be low **" : ""}`);

  step(`preparing a fresh ${options.db === "postgres" ? "scratch PostgreSQL database" : "PGlite data folder"}`);
  const target: TBenchTarget = await createBenchTarget({ kind: options.db, serverUrl: process.env.DATABASE_URL });
  cleanup.add("remove bench database", () => target.destroy());
  let server: TBenchServer | undefined;
  const cpu = createCpuMeter({ getServerPid: () => server?.pid, postgresDatabase: target.databaseName });

  // The bench's own connection. On PGlite it must be closed while the server runs (one process owns the folder).
  let database: TDatabase | undefined;
  const openDatabase = async () => {
    database ??= await target.open();
    return database;
  };
  const closeDatabase = async () => {
    const open = database;
    database = undefined;
    await open?.close();
  };
  cleanup.add("close bench database connection", () => closeDatabase());

  const seeding = await openDatabase();
  await migrate(seeding);
  const dbVersion = await seeding.withRawConnection((connection) => describeDatabaseVersion(connection));
  print(`  database ${dbVersion}${target.databaseUrl ? ` (scratch ${new URL(target.databaseUrl).pathname.slice(1)})` : ` in ${target.dataDir}`}`);
  const seedStart = performance.now();
  const devices = await seedWatches({
    database: seeding,
    count: options.devices,
    onProgress: (done) => step(`seeded ${formatInt(done)}/${formatInt(options.devices)} patients with a watch`),
  });
  step(`seeding took ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  if (options.db === "pglite") await closeDatabase();

  const serverEnv: Record<string, string> = {};
  for (const name of ["INGEST_MAX_QUEUED_SAMPLES", "INGEST_CONCURRENT_FLUSHES"]) {
    if (process.env[name]) serverEnv[name] = process.env[name];
  }
  if (options["server-cpu-prof"]) {
    const preload = path.join(import.meta.dirname, "lib", "server-cpu-profile.mjs");
    serverEnv.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --import ${preload}`.trim();
    serverEnv.PULSEGUARD_BENCH_CPU_PROF_DIR = path.resolve(options["server-cpu-prof"]);
    mkdirSync(serverEnv.PULSEGUARD_BENCH_CPU_PROF_DIR, { recursive: true });
    print(`  profile  server CPU profiles go to ${serverEnv.PULSEGUARD_BENCH_CPU_PROF_DIR} (one per server process, written at exit)`);
  }
  const collectedWarnings: string[] = [];
  const startServer = async () => {
    step("starting the server (server.ts, development mode)");
    const startedAt = performance.now();
    // The server runs in production mode, as `npm start` runs it: build first when the sources changed.
    ensureProductionBuild();
    server = await startBenchServer({ dataDir: target.dataDir, databaseUrl: target.databaseUrl, logLevel: options["server-log-level"], env: serverEnv });
    step(`server up at ${server.url} (pid ${server.pid}) after ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    return server;
  };
  const stopServer = async () => {
    if (!server) return;
    const stopping = server;
    step("stopping the server (SIGTERM, waiting for it to drain and exit)");
    const code = await stopping.stop();
    step(`server exited with code ${code}`);
    collectedWarnings.push(...stopping.warnings());
    server = undefined;
  };
  cleanup.add("stop server", () => stopServer());

  let running = await startServer();

  // Phase 1: hold the load.
  let pool: TClientPool | undefined;
  const closePool = () => {
    pool?.close();
    pool = undefined;
  };
  cleanup.add("close device clients", () => closePool());

  step(`opening ${formatInt(options.devices)} ${options.transport === "socket" ? "socket.io connections" : "HTTP clients"}`);
  const connectStart = performance.now();
  pool = await openClientPool({
    transport: options.transport,
    baseUrl: running.url,
    devices,
    wave: options["connect-wave"],
    onProgress: (connected, failed, total) => step(`  connected ${formatInt(connected)}/${formatInt(total)}${failed ? `, failed ${failed}` : ""}`),
  });
  const connectMs = performance.now() - connectStart;
  if (options.transport === "http") {
    // Next compiles a route on its first request in development mode; that must not land in the figures.
    step("warming up the HTTP route (first request compiles it)");
    await pool.clients[0]!.send({});
  }
  running.resetFlushStats();
  step(`load phase: ${formatInt(options.devices)} watches, a ${LOAD_BATCH_SAMPLES}-sample batch every ${(LOAD_BATCH_SAMPLES * INTERVAL_MS) / 1000} s each, for ${options.seconds} s`);
  const load: TLoadResult = await runLoadPhase({
    clients: pool.clients,
    devices,
    seconds: options.seconds,
    batchSamples: LOAD_BATCH_SAMPLES,
    intervalMs: INTERVAL_MS,
    drainTimeoutMs: options["drain-seconds"] * 1000,
    progressEveryMs: 5_000,
    cpu,
    print,
    abortClients: () => closePool(),
  });
  const loadCpu = cpu.average();
  const loadFlush = running.flushStats();
  step(`load phase done; waited ${(load.drainMs / 1000).toFixed(1)} s for the last acks${load.unsettled ? `, ${load.unsettled} batches never settled` : ""}`);
  closePool();

  // Verify and measure with the server idle (PGlite: stopped, since it owns the folder).
  if (options.db === "pglite") await stopServer();
  step("verifying every sample sent against the database");
  const checked = await openDatabase();
  const loadCheck = await verifyStored(checked, devices, load, LOAD_SEQ_BASE, THROUGHPUT_SEQ_BASE);
  step(`  sent ${formatInt(loadCheck.sentSamples)} samples, stored ${formatInt(loadCheck.storedSamples)}; lost ${loadCheck.lost}, duplicated ${loadCheck.duplicated}`);
  step("measuring storage as written (staged), compacting it into hourly chunks, measuring again (after VACUUM ANALYZE)");
  const storage = await measureLoadStorage(checked);
  step(`  compacted ${formatInt(storage.compaction.batches)} batches (${formatInt(storage.compaction.samples)} samples) into ${formatInt(storage.compaction.chunks)} chunks in ${(storage.compaction.ms / 1000).toFixed(1)} s`);
  const recheck = await verifyStored(checked, devices, load, LOAD_SEQ_BASE, THROUGHPUT_SEQ_BASE);
  if (recheck.lost !== loadCheck.lost || recheck.duplicated !== loadCheck.duplicated || recheck.storedSamples !== loadCheck.storedSamples) {
    throw new Error(`compaction changed the stored samples: before ${JSON.stringify(loadCheck)}, after ${JSON.stringify(recheck)}`);
  }
  step("  every sample is still there once after compaction");
  if (options.db === "pglite") {
    await closeDatabase();
    running = await startServer();
  }

  // Phase 2: saturate.
  const throughputSet = devices.slice(0, throughputDevices);
  step(`opening ${throughputDevices} clients for the throughput phase`);
  pool = await openClientPool({ transport: options.transport, baseUrl: running.url, devices: throughputSet, wave: options["connect-wave"], maxHttpSockets: Math.max(256, throughputDevices) });
  if (options.transport === "http") await pool.clients[0]!.send({});
  running.resetFlushStats();
  step(
    `throughput phase: closed loop, ${throughputDevices} devices, ${THROUGHPUT_BATCH_SAMPLES}-sample batches, ${options["upload-batches"]} per request, 3 s warm-up + ${options["throughput-seconds"]} s measured`,
  );
  const throughput = await runClosedLoop({
    clients: pool.clients,
    devices: throughputSet,
    seconds: options["throughput-seconds"],
    uploadBatches: options["upload-batches"],
    cpu,
    abortClients: () => closePool(),
  });
  const throughputCpu = cpu.average();
  const throughputFlush = running.flushStats();
  closePool();
  await stopServer();

  // Phase 3: the baseline, on the same database with the server gone.
  const baselineDb = await openDatabase();
  const throughputCheck = await verifyStored(baselineDb, throughputSet, throughput, THROUGHPUT_SEQ_BASE, BASELINE_SEQ_BASE);
  step(`throughput data: sent ${formatInt(throughputCheck.sentSamples)} samples, stored ${formatInt(throughputCheck.storedSamples)}; lost ${throughputCheck.lost}, duplicated ${throughputCheck.duplicated}`);
  step(`baseline: bare INSERT of ${THROUGHPUT_BATCH_SAMPLES}-sample batches, ${BASELINE_ROWS_PER_STATEMENT} rows per statement, one connection, ${options["baseline-seconds"]} s`);
  const baseline: TBaselineResult = await baselineDb.withRawConnection((connection) =>
    runBaselineInserts({
      connection,
      devices,
      samplesPerBatch: THROUGHPUT_BATCH_SAMPLES,
      rowsPerStatement: BASELINE_ROWS_PER_STATEMENT,
      seconds: options["baseline-seconds"],
      seqBase: BASELINE_SEQ_BASE,
      makeBatch: (deviceIndex, batchIndex) => makeHeartRateBatch(deviceIndex, BASELINE_SEQ_BASE + batchIndex, THROUGHPUT_BATCH_SAMPLES),
      startedAtMs: Math.floor((Date.now() - 5 * DAY_MS) / 60_000) * 60_000,
      onProgress: (progress) => step(`  ${formatInt(progress.samplesPerSec)} samples/s (${formatInt(progress.rows)} rows)`),
    }),
  );
  step(`  ${formatInt(baseline.samplesPerSec)} samples/s (${formatInt(baseline.rows)} rows in ${baseline.statements} statements)`);

  let ceiling: TCeiling | undefined;
  if (options["ceiling-seconds"] > 0 && options.transport === "socket") {
    ceiling = await runCeiling({ devices: throughputSet, seconds: options["ceiling-seconds"], uploadBatches: options["upload-batches"], wave: options["connect-wave"], cleanup });
  }

  step("cleaning up");
  await cleanup.runAll();

  let storageDay: TStorageDay | undefined;
  if (options["day-patients"] > 0) {
    step(`storage days: ${options["day-patients"]} patients × 2 days of simulated 1 Hz heart rate through the writer and compactor, on a fresh database`);
    storageDay = await runStorageDays({ kind: options.db, serverUrl: process.env.DATABASE_URL, patients: options["day-patients"], onProgress: (line) => step(line) });
    step(`  ${formatBytes(storageDay.bytesPerPatientDay)} per patient-day (day 2 growth); wrote in ${(storageDay.writeMs / 1000).toFixed(1)} s, compacted in ${(storageDay.compactMs / 1000).toFixed(1)} s`);
  }

  report({ options, machine, busyBefore, dbVersion, connectMs, load, loadCpu, loadFlush, loadCheck, storage, storageDay, throughput, throughputCpu, throughputFlush, throughputCheck, baseline, ceiling, warnings: collectedWarnings });
}

/** The throughput phase's closed loop (against the server, and again for the ceiling). */
function runClosedLoop(options: {
  clients: TClientPool["clients"];
  devices: TBenchDevice[];
  seconds: number;
  uploadBatches: number;
  cpu: ReturnType<typeof createCpuMeter>;
  abortClients: () => void;
}) {
  return runThroughputPhase({
    ...options,
    warmupSeconds: 3,
    batchSamples: THROUGHPUT_BATCH_SAMPLES,
    intervalMs: INTERVAL_MS,
    // Three days back, minute-aligned: old enough to never be "in the future", young enough to be accepted.
    startedAtMs: Math.floor((Date.now() - 3 * DAY_MS) / 60_000) * 60_000,
    maxBatchesPerDevice: Math.floor((2 * DAY_MS) / (THROUGHPUT_BATCH_SAMPLES * INTERVAL_MS)),
    progressEveryMs: 5_000,
    print,
  });
}

type TCeiling = { throughput: TThroughputResult; cpu: TCpuSample };

/** The throughput phase again, against a server that validates and acknowledges without storing anything. */
async function runCeiling(options: {
  devices: TBenchDevice[];
  seconds: number;
  uploadBatches: number;
  wave: number;
  cleanup: ReturnType<typeof createCleanup>;
}): Promise<TCeiling> {
  step("transport ceiling: the same closed loop against an acknowledge-only socket.io server (stores nothing)");
  const child = fork(path.join(import.meta.dirname, "lib", "ack-only-server.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  options.cleanup.add("stop the acknowledge-only server", () => child.kill("SIGTERM"));
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`the acknowledge-only server exited with code ${code}`)));
  });
  const cpu = createCpuMeter({ getServerPid: () => child.pid });
  const pool: TClientPool = await openClientPool({ transport: "socket", baseUrl: `http://127.0.0.1:${port}`, devices: options.devices, wave: options.wave });
  try {
    const throughput = await runClosedLoop({
      clients: pool.clients,
      devices: options.devices,
      seconds: options.seconds,
      uploadBatches: options.uploadBatches,
      cpu,
      abortClients: () => pool.close(),
    });
    step(`  ${formatInt(throughput.samplesPerSec)} samples/s acknowledged without a database`);
    return { throughput, cpu: cpu.average() };
  } finally {
    pool.close();
    child.kill("SIGTERM");
  }
}

function report(r: {
  options: TOptions;
  machine: ReturnType<typeof describeMachine>;
  busyBefore: number;
  dbVersion: string;
  connectMs: number;
  load: TLoadResult;
  loadCpu: TCpuSample;
  loadFlush: TFlushStats;
  loadCheck: TVerification;
  storage: TLoadStorage;
  storageDay: TStorageDay | undefined;
  throughput: TThroughputResult;
  throughputCpu: TCpuSample;
  throughputFlush: TFlushStats;
  throughputCheck: TVerification;
  baseline: TBaselineResult;
  ceiling: TCeiling | undefined;
  warnings: string[];
}) {
  const { options, machine, load, storage, throughput, baseline } = r;
  const ratio = baseline.samplesPerSec > 0 ? throughput.samplesPerSec / baseline.samplesPerSec : Number.NaN;
  const stagingBound = Math.max(stagingBoundPerWatch(storage.asWritten), r.storageDay?.stagingPerPatient ?? 0);
  const loadPerDay = bytesPerPatientDay(storage.compacted);
  const perDay = (r.storageDay ? r.storageDay.bytesPerPatientDay : loadPerDay) + stagingBound;
  const compactionRate = storage.compaction.ms > 0 ? (storage.compaction.samples * 1000) / storage.compaction.ms : Number.NaN;
  const lost = r.loadCheck.lost + r.throughputCheck.lost;
  const duplicated = r.loadCheck.duplicated + r.throughputCheck.duplicated;
  const flushRows = (flush: TFlushStats) =>
    flush.flushes === 0
      ? []
      : [
          [
            "    server flushes",
            `${formatInt(flush.flushes)} group commits, ${(flush.batches / flush.flushes).toFixed(1)} batches each; ${formatMs(flush.ms.p50Ms)} p50, ${formatMs(flush.ms.p99Ms)} p99, ${formatMs(flush.ms.maxMs)} max; writer busy ${formatMs(flush.msTotal)} total`,
          ],
        ];

  print();
  print(`Results: ingest over ${options.transport}, ${options.db}`);
  print(
    formatTable([
      ["machine", `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, node ${machine.node}, ${machine.platform}`],
      ["", `machine ${Math.round(r.busyBefore)}% busy before the run (other processes)`],
      ["database", `${options.db}: ${r.dbVersion}`],
      ["load phase", `${formatInt(load.devices)} watches at 1 Hz, ${load.batchSamples}-sample batches every 10 s, ${load.windowMs / 1000} s; connecting took ${(r.connectMs / 1000).toFixed(1)} s`],
      ["    offered", `${formatInt(load.offeredSamplesPerSec)} samples/s (${formatInt(load.scheduledBatches)} batches)`],
      ["    achieved", `${formatInt(load.achievedSamplesPerSec)} samples/s acked within the window`],
      [
        "    ack latency",
        `${latencyText(load.latency)} (from due time to final ack, retries included${load.unsettled ? "; unsettled batches counted as waiting until the bench gave up" : ""})`,
      ],
      ["    after warm-up", `${latencyText(load.steadyLatency)} (batches due after the first ${(load.batchSamples * INTERVAL_MS) / 1000} s)`],
      ["    bench send lag", `p50 ${formatMs(load.sendLag.p50Ms)}  p99 ${formatMs(load.sendLag.p99Ms)}  max ${formatMs(load.sendLag.maxMs)}; bench event loop p99 ${formatMs(load.eventLoopP99Ms)}`],
      ...describeCounters(load.counters).map((line, index) => [index === 0 ? "    batches" : "", line]),
      ["    unsettled", `${load.unsettled} batches without a final answer after ${options["drain-seconds"]} s of draining`],
      ["    cpu (avg)", cpuText(r.loadCpu)],
      ...flushRows(r.loadFlush),
      [
        "verification",
        `load: sent ${formatInt(r.loadCheck.sentSamples)} samples, acked ${formatInt(r.loadCheck.ackedSamples)}, stored ${formatInt(r.loadCheck.storedSamples)} (the same again after compaction)`,
      ],
      ["", `throughput: sent ${formatInt(r.throughputCheck.sentSamples)} samples, acked ${formatInt(r.throughputCheck.ackedSamples)}, stored ${formatInt(r.throughputCheck.storedSamples)}`],
      [
        "    lost",
        `${lost} samples sent but not stored (${r.loadCheck.devicesShort + r.throughputCheck.devicesShort} devices short); ${r.loadCheck.lostAfterAck + r.throughputCheck.lostAfterAck} of them acknowledged`,
      ],
      ["    duplicated", `${duplicated} samples (${r.loadCheck.duplicateRows + r.throughputCheck.duplicateRows} batches stored more than once)`],
      // PGlite keeps no cumulative statistics (all zero): nothing to show then.
      ...storage.activity.filter((table) => table.inserts > 0).map((table, index) => [
        index === 0 ? "table activity" : "",
        `${table.table}: ${formatInt(table.inserts)} inserts, ${formatInt(table.updates)} updates (${formatInt(table.hotUpdates)} HOT), ${formatInt(table.deadRows)} dead rows, autovacuum ${table.autovacuums}×, autoanalyze ${table.autoanalyzes}×`,
      ]),
      [
        "storage",
        `per patient-day ${formatBytes(perDay)} = ${r.storageDay ? `${formatBytes(r.storageDay.bytesPerPatientDay)} steady-state growth per patient-day (day 2 of the simulated days)` : `${formatBytes(loadPerDay)} from the load data (edge-dominated: no storage-day phase)`} + ${formatBytes(stagingBound)} staging bound per watch`,
      ],
      ...(r.storageDay
        ? [
            [
              "    storage days",
              `${r.storageDay.patients} patients × 2 days × 86,400 samples (simulator model), 10-sample batches, compacted every 5 simulated min; after day 1 ${formatBytes(r.storageDay.afterDay[0].totalBytes)}, after day 2 ${formatBytes(r.storageDay.afterDay[1].totalBytes)} in ${formatInt(r.storageDay.afterDay[1].chunkRows)} chunk rows (after VACUUM ANALYZE); first day extra ${formatBytes(r.storageDay.firstDayExtraPerPatient)} per patient, once`,
            ],
            ...describeStorage(r.storageDay.afterDay[1]),
          ]
        : []),
      [
        "    staging bound",
        `max of ${formatBytes(r.storageDay?.stagingPerPatient ?? Number.NaN)} staging pages per patient after the simulated days and ${STAGED_BATCHES_PER_WATCH} batch rows per watch (two ${COMPACT_EVERY_MS / 60_000}-min compaction periods) × ${formatBytes(storage.asWritten.stagedRows > 0 ? tableBytes(storage.asWritten, "HeartRateStagedBatch") / storage.asWritten.stagedRows : Number.NaN)} per staged row (load data as written: heap, maps, key index)`,
      ],
      ...describeStorage(storage.asWritten),
      [
        "    load compacted",
        `${formatInt(storage.compaction.batches)} batches → ${formatInt(storage.compaction.chunks)} chunk writes in ${(storage.compaction.ms / 1000).toFixed(1)} s (${formatInt(compactionRate)} samples/s, ${storage.compaction.transactions} transactions); ${formatBytes(loadPerDay)} per patient-day if extrapolated (one-minute chunks: row overhead on 60 samples)`,
      ],
      ...describeStorage(storage.compacted),
      [
        "throughput",
        `${throughput.devices} devices, closed loop, ${throughput.batchSamples}-sample batches, ${throughput.uploadBatches} per request, ${(throughput.measuredMs / 1000).toFixed(0)} s measured after 3 s warm-up`,
      ],
      ["    API", `${formatInt(throughput.samplesPerSec)} samples/s; ack per request ${latencyText(throughput.latency)}`],
      ...describeCounters(throughput.counters).map((line, index) => [index === 0 ? "    batches" : "", line]),
      ["    cpu (avg)", cpuText(r.throughputCpu)],
      ...flushRows(r.throughputFlush),
      ["    baseline", `${formatInt(baseline.samplesPerSec)} samples/s bare INSERT (${BASELINE_ROWS_PER_STATEMENT} rows per statement, one connection, ${formatInt(baseline.rows)} rows)`],
      ["    ratio", `${Number.isFinite(ratio) ? ratio.toFixed(3) : "-"} (API / baseline)`],
      ...(r.ceiling
        ? [
            [
              "    ceiling",
              `${formatInt(r.ceiling.throughput.samplesPerSec)} samples/s = ${(r.ceiling.throughput.samplesPerSec / baseline.samplesPerSec).toFixed(3)} of baseline: the same clients against a server that only validates and acknowledges (no database); the API reached ${((throughput.samplesPerSec / r.ceiling.throughput.samplesPerSec) * 100).toFixed(0)}% of it`,
            ],
            ["      cpu (avg)", cpuText(r.ceiling.cpu)],
          ]
        : []),
      ["server warnings", `${r.warnings.length}${r.warnings.length ? `, first: ${r.warnings[0]}` : ""}`],
    ]),
  );

  const onPglite = options.db === "pglite" ? "  [target is stated for PostgreSQL]" : "";
  const held = load.devices >= TARGET_WATCHES && load.latency.p99Ms < TARGET_ACK_P99_MS && load.counters.rejected === 0 && load.unsettled === 0;
  const targets: [boolean, string, string][] = [
    [
      held,
      `${formatInt(TARGET_WATCHES)} watches at 1 Hz held, ack p99 < ${TARGET_ACK_P99_MS} ms`,
      `${formatInt(load.devices)} watches, p99 ${formatMs(load.latency.p99Ms)}, ${load.counters.rejected} rejected, ${load.unsettled} unsettled`,
    ],
    [ratio >= TARGET_MIN_RATIO, `throughput ≥ ${TARGET_MIN_RATIO * 100}% of bare INSERT`, `ratio ${Number.isFinite(ratio) ? ratio.toFixed(3) : "-"}`],
    [perDay <= TARGET_MAX_BYTES_PER_PATIENT_DAY, `≤ ${TARGET_MAX_BYTES_PER_PATIENT_DAY / 1000} kB per patient-day`, `${formatInt(perDay)} B, compacted day + staging bound`],
    [lost === 0 && duplicated === 0, "lost 0, duplicated 0", `lost ${lost}, duplicated ${duplicated}`],
  ];
  print();
  print("Targets");
  print(formatTable(targets.map(([ok, name, measured]) => [ok ? "PASS" : "MISS", name, `(${measured})${onPglite}`])));
  print();
  const result = {
    bench: "ingest",
    db: options.db,
    devices: load.devices,
    samplesPerSec: Math.round(throughput.samplesPerSec),
    baselineSamplesPerSec: Math.round(baseline.samplesPerSec),
    ratio: round(ratio, 3),
    ackP50Ms: round(load.latency.p50Ms, 1),
    ackP99Ms: round(load.latency.p99Ms, 1),
    bytesPerPatientDay: Math.round(perDay),
    compactSamplesPerSec: Math.round(compactionRate),
    ceilingSamplesPerSec: r.ceiling ? Math.round(r.ceiling.throughput.samplesPerSec) : undefined,
    ceilingRatio: r.ceiling ? round(r.ceiling.throughput.samplesPerSec / baseline.samplesPerSec, 3) : undefined,
    lost,
    duplicated,
  };
  print(`RESULT ${JSON.stringify(result)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
