// The database a benchmark runs against: a fresh PGlite folder or a scratch PostgreSQL database,
// seeded with one hospital and N patients each wearing one watch, and the SQL the benchmark reads
// back (stored counts, storage sizes) or writes directly (the bare-INSERT baseline).
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDeviceToken } from "../../lib/auth/authenticate-device";
import { applyMigrations, type TMigrationConnection } from "../../lib/db/migrate";
import { openDatabase, type TDatabase } from "../../lib/db/open-database";
import { createScratchDatabase } from "../../test/helpers/db-admin";

export const PROJECT_DIR = path.resolve(import.meta.dirname, "../..");
const MIGRATIONS_DIR = path.join(PROJECT_DIR, "prisma", "migrations");

export type TDbKind = "pglite" | "postgres";

export type TBenchTarget = {
  kind: TDbKind;
  /** DATA_DIR for the server; on PGlite the database lives in it. */
  dataDir: string;
  /** The scratch database on PostgreSQL. */
  databaseUrl?: string;
  databaseName?: string;
  open(): Promise<TDatabase>;
  /** Removes the folder and drops the scratch database; safe to call twice. */
  destroy(): Promise<void>;
};

export async function createBenchTarget(options: { kind: TDbKind; serverUrl?: string }): Promise<TBenchTarget> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "pulseguard-bench-"));
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  try {
    if (options.kind === "postgres") {
      if (!options.serverUrl) throw new Error("--db postgres needs DATABASE_URL");
      scratch = await createScratchDatabase(options.serverUrl, "bench");
    }
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  let destroyed = false;
  return {
    kind: options.kind,
    dataDir,
    databaseUrl: scratch?.url,
    databaseName: scratch?.name,
    open: () => (scratch ? openDatabase({ databaseUrl: scratch.url, poolSize: 2 }) : openDatabase({ dataDir })),
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        await scratch?.drop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export async function migrate(database: TDatabase): Promise<void> {
  await database.withRawConnection((connection) => applyMigrations({ connection, migrationsDir: MIGRATIONS_DIR }));
}

export type TBenchDevice = { deviceId: string; patientId: string; token: string };

const SEED_CHUNK = 2_000;

/**
 * One hospital, `count` patients (each with the user row a patient needs) and one watch per patient,
 * written with createMany. Nobody signs in, so the password hash is a placeholder no login can match.
 */
export async function seedWatches(options: { database: TDatabase; count: number; onProgress?: (done: number) => void }): Promise<TBenchDevice[]> {
  const db = options.database.prisma;
  const runId = randomUUID().slice(0, 8);
  const hospital = await db.hospital.create({ data: { name: `Bench hospital ${runId}` } });
  const devices: TBenchDevice[] = [];
  for (let start = 0; start < options.count; start += SEED_CHUNK) {
    const size = Math.min(SEED_CHUNK, options.count - start);
    const rows = Array.from({ length: size }, (_, offset) => {
      const index = start + offset;
      const { token, tokenHash } = createDeviceToken();
      return { index, userId: randomUUID(), patientId: randomUUID(), deviceId: randomUUID(), token, tokenHash };
    });
    await db.user.createMany({
      data: rows.map((row) => ({
        id: row.userId,
        email: `bench-${runId}-${row.index}@bench.invalid`,
        passwordHash: "scrypt$disabled",
        role: "PATIENT" as const,
        displayName: `Bench patient ${row.index}`,
        hospitalId: hospital.id,
      })),
    });
    await db.patient.createMany({
      data: rows.map((row) => ({ id: row.patientId, userId: row.userId, hospitalId: hospital.id, displayName: `Bench patient ${row.index}` })),
    });
    await db.device.createMany({
      data: rows.map((row) => ({ id: row.deviceId, patientId: row.patientId, kind: "WATCH" as const, label: "bench watch", tokenHash: row.tokenHash })),
    });
    for (const row of rows) devices.push({ deviceId: row.deviceId, patientId: row.patientId, token: row.token });
    options.onProgress?.(devices.length);
  }
  return devices;
}

export async function describeDatabaseVersion(connection: TMigrationConnection): Promise<string> {
  const [row] = await connection.query<{ version: string }>("SELECT version()");
  return row?.version.split(",")[0] ?? "unknown";
}

export type TStoredCounts = Map<string, { batches: number; seqs: number; samples: number }>;

/** What the server stored per device, for sequence numbers in [seqFrom, seqTo). */
export async function readStoredCounts(connection: TMigrationConnection, seqFrom: number, seqTo: number): Promise<TStoredCounts> {
  const rows = await connection.query<{ deviceId: string; batches: number; seqs: number; samples: number }>(
    `SELECT "deviceId", count(*)::int AS batches, count(DISTINCT seq)::int AS seqs,
            coalesce(sum(array_length(bpm, 1)), 0)::int AS samples
     FROM "HeartRateBatch" WHERE seq >= $1 AND seq < $2 GROUP BY 1`,
    [seqFrom, seqTo],
  );
  return new Map(rows.map((row) => [row.deviceId, { batches: Number(row.batches), seqs: Number(row.seqs), samples: Number(row.samples) }]));
}

export async function readRollupSampleTotal(connection: TMigrationConnection): Promise<number> {
  const [row] = await connection.query<{ samples: string | number | null }>(`SELECT sum(samples) AS samples FROM "HeartRateMinute"`);
  return Number(row?.samples ?? 0);
}

export type TRelationSize = { name: string; table: "HeartRateBatch" | "HeartRateMinute"; kind: "heap" | "maps" | "toast" | "index"; bytes: number };

export type TStorage = {
  totalBytes: number;
  batchRows: number;
  minuteRows: number;
  samples: number;
  relations: TRelationSize[];
};

/** Sizes of the two heart-rate tables (heap, free-space and visibility maps, TOAST, every index) and what they hold. */
export async function measureStorage(connection: TMigrationConnection): Promise<TStorage> {
  const relations: TRelationSize[] = [];
  for (const table of ["HeartRateBatch", "HeartRateMinute"] as const) {
    const [sizes] = await connection.query<{ heap: string; maps: string; toast: string; total: string }>(
      `SELECT pg_relation_size(c.oid, 'main')::text AS heap,
              (pg_relation_size(c.oid, 'fsm') + pg_relation_size(c.oid, 'vm') + pg_relation_size(c.oid, 'init'))::text AS maps,
              (CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END)::text AS toast,
              pg_total_relation_size(c.oid)::text AS total
       FROM pg_class c WHERE c.oid = $1::regclass`,
      [`"${table}"`],
    );
    relations.push({ name: table, table, kind: "heap", bytes: Number(sizes!.heap) });
    relations.push({ name: `${table} (fsm+vm)`, table, kind: "maps", bytes: Number(sizes!.maps) });
    relations.push({ name: `${table} (toast)`, table, kind: "toast", bytes: Number(sizes!.toast) });
    const indexRows = await connection.query<{ name: string; bytes: string }>(
      `SELECT indexrelid::regclass::text AS name, pg_total_relation_size(indexrelid)::text AS bytes FROM pg_index WHERE indrelid = $1::regclass ORDER BY 1`,
      [`"${table}"`],
    );
    for (const index of indexRows) relations.push({ name: index.name, table, kind: "index", bytes: Number(index.bytes) });
    const listed = relations.filter((relation) => relation.table === table).reduce((sum, relation) => sum + relation.bytes, 0);
    // pg_total_relation_size is the figure that counts; the parts above must add up to it.
    if (listed !== Number(sizes!.total)) relations.push({ name: `${table} (other)`, table, kind: "maps", bytes: Number(sizes!.total) - listed });
  }
  const [counts] = await connection.query<{ batch_rows: string; samples: string | null; minute_rows: string }>(
    `SELECT (SELECT count(*) FROM "HeartRateBatch")::text AS batch_rows,
            (SELECT sum(array_length(bpm, 1)) FROM "HeartRateBatch")::text AS samples,
            (SELECT count(*) FROM "HeartRateMinute")::text AS minute_rows`,
  );
  return {
    totalBytes: relations.reduce((sum, relation) => sum + relation.bytes, 0),
    batchRows: Number(counts!.batch_rows),
    minuteRows: Number(counts!.minute_rows),
    samples: Number(counts!.samples ?? 0),
    relations,
  };
}

export const bytesPerPatientDay = (storage: TStorage) => (storage.samples > 0 ? storage.totalBytes / (storage.samples / 86_400) : Number.NaN);

export type TBaselineResult = { statements: number; rows: number; samples: number; elapsedMs: number; samplesPerSec: number };

/**
 * The bare-INSERT baseline: the same batches the API would store, as parametrized multi-row INSERTs
 * into "HeartRateBatch" on one connection, one statement per transaction. No API, no validation, no
 * rollups, no lastSeenAt: what the table and its indexes cost on their own.
 */
export async function runBaselineInserts(options: {
  connection: TMigrationConnection;
  devices: TBenchDevice[];
  samplesPerBatch: number;
  rowsPerStatement: number;
  seconds: number;
  seqBase: number;
  makeBatch: (deviceIndex: number, batchIndex: number) => { bpm: number[]; activity: number[] };
  startedAtMs: number;
  onProgress?: (result: TBaselineResult) => void;
}): Promise<TBaselineResult> {
  const { connection, devices, rowsPerStatement, samplesPerBatch } = options;
  const columns = 7;
  const values = Array.from({ length: rowsPerStatement }, (_, row) => {
    const p = row * columns;
    return `($${p + 1}::uuid, $${p + 2}::uuid, $${p + 3}::int, $${p + 4}::timestamptz, $${p + 5}::int, $${p + 6}::smallint[], $${p + 7}::smallint[])`;
  });
  const sql = `INSERT INTO "HeartRateBatch" ("deviceId", "patientId", "seq", "startedAt", "intervalMs", "bpm", "activity") VALUES ${values.join(", ")}`;
  let next = 0;
  const buildParams = () => {
    const params: unknown[] = [];
    for (let row = 0; row < rowsPerStatement; row += 1, next += 1) {
      // Device-major order with a per-device sequence: every (deviceId, seq) is new.
      const deviceIndex = next % devices.length;
      const batchIndex = Math.floor(next / devices.length);
      const device = devices[deviceIndex]!;
      const { bpm, activity } = options.makeBatch(deviceIndex, batchIndex);
      const startedAt = new Date(options.startedAtMs + batchIndex * samplesPerBatch * 1000).toISOString();
      params.push(device.deviceId, device.patientId, options.seqBase + batchIndex, startedAt, 1000, bpm, activity);
    }
    return params;
  };
  const result: TBaselineResult = { statements: 0, rows: 0, samples: 0, elapsedMs: 0, samplesPerSec: 0 };
  // Parameters are built before the clock starts for each statement: the baseline times the database.
  let params = buildParams();
  const startedAt = performance.now();
  let lastProgress = startedAt;
  while (performance.now() - startedAt < options.seconds * 1000) {
    const statementStart = performance.now();
    await connection.query(sql, params);
    result.elapsedMs += performance.now() - statementStart;
    result.statements += 1;
    result.rows += rowsPerStatement;
    result.samples += rowsPerStatement * samplesPerBatch;
    result.samplesPerSec = result.samples / (result.elapsedMs / 1000);
    params = buildParams();
    if (performance.now() - lastProgress >= 2_000) {
      lastProgress = performance.now();
      options.onProgress?.(result);
    }
  }
  return result;
}

export type TTableActivity = { table: string; inserts: number; updates: number; hotUpdates: number; deadRows: number; autovacuums: number; autoanalyzes: number };

/** Write activity per table since the database was created: shows update churn (e.g. non-HOT updates) and autovacuum. */
export async function readTableActivity(connection: TMigrationConnection, tables: string[]): Promise<TTableActivity[]> {
  const rows = await connection.query<{ relname: string; ins: string; upd: string; hot: string; dead: string; av: string; aa: string }>(
    `SELECT relname, n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_hot_upd::text AS hot, n_dead_tup::text AS dead,
            autovacuum_count::text AS av, autoanalyze_count::text AS aa
     FROM pg_stat_user_tables WHERE relname = ANY($1::text[]) ORDER BY relname`,
    [tables],
  );
  return rows.map((row) => ({
    table: row.relname,
    inserts: Number(row.ins),
    updates: Number(row.upd),
    hotUpdates: Number(row.hot),
    deadRows: Number(row.dead),
    autovacuums: Number(row.av),
    autoanalyzes: Number(row.aa),
  }));
}
