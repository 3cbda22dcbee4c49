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
import { decodeHeartRateChunk, encodeStagedActivity } from "../../lib/ingest/heart-rate-chunk-codec";
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

/**
 * What the server stored per device, for sequence numbers in [seqFrom, seqTo), wherever it is now:
 * staged rows, or batches inside compacted chunks (decoded). A seq found twice counts as a duplicate.
 */
export async function readStoredCounts(connection: TMigrationConnection, seqFrom: number, seqTo: number): Promise<TStoredCounts> {
  const counts: TStoredCounts = new Map();
  const seqsByDevice = new Map<string, Set<number>>();
  const add = (deviceId: string, seq: number, samples: number) => {
    const entry = counts.get(deviceId) ?? { batches: 0, seqs: 0, samples: 0 };
    const seqs = seqsByDevice.get(deviceId) ?? new Set<number>();
    entry.batches += 1;
    entry.samples += samples;
    seqs.add(seq);
    entry.seqs = seqs.size;
    counts.set(deviceId, entry);
    seqsByDevice.set(deviceId, seqs);
  };
  const staged = await connection.query<{ deviceId: string; seq: number; samples: number }>(
    `SELECT "deviceId"::text AS "deviceId", seq, octet_length(bpm) AS samples FROM "HeartRateStagedBatch" WHERE seq >= $1 AND seq < $2`,
    [seqFrom, seqTo],
  );
  for (const row of staged) add(row.deviceId, Number(row.seq), Number(row.samples));
  const chunks = await connection.query<{ deviceId: string; hourMs: number; data: Uint8Array }>(
    `SELECT "deviceId"::text AS "deviceId", (extract(epoch FROM "hour") * 1000)::float8 AS "hourMs", data
     FROM "HeartRateChunk" WHERE "seqMax" >= $1 AND "seqMin" < $2`,
    [seqFrom, seqTo],
  );
  for (const row of chunks) {
    for (const segment of decodeHeartRateChunk(Buffer.from(row.data), Number(row.hourMs))) {
      if (segment.seq >= seqFrom && segment.seq < seqTo) add(row.deviceId, segment.seq, segment.bpm.length);
    }
  }
  return counts;
}

export const HEART_RATE_TABLES = ["HeartRateChunk", "HeartRateStagedBatch"] as const;
export type THeartRateTable = (typeof HEART_RATE_TABLES)[number];

export type TRelationSize = { name: string; table: THeartRateTable; kind: "heap" | "maps" | "toast" | "index"; bytes: number };

export type TStorage = {
  totalBytes: number;
  chunkRows: number;
  stagedRows: number;
  /** Samples held, staged or compacted. */
  samples: number;
  relations: TRelationSize[];
};

export const tableBytes = (storage: TStorage, table: THeartRateTable) =>
  storage.relations.filter((relation) => relation.table === table).reduce((sum, relation) => sum + relation.bytes, 0);

/** Sizes of the heart-rate tables (heap, free-space and visibility maps, TOAST with its index, every index) and what they hold. */
export async function measureStorage(connection: TMigrationConnection): Promise<TStorage> {
  const relations: TRelationSize[] = [];
  for (const table of HEART_RATE_TABLES) {
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
  const [counts] = await connection.query<{ chunk_rows: string; staged_rows: string; samples: string | null }>(
    `SELECT (SELECT count(*) FROM "HeartRateChunk")::text AS chunk_rows,
            (SELECT count(*) FROM "HeartRateStagedBatch")::text AS staged_rows,
            ((SELECT coalesce(sum(samples), 0) FROM "HeartRateChunk") + (SELECT coalesce(sum(octet_length(bpm)), 0) FROM "HeartRateStagedBatch"))::text AS samples`,
  );
  return {
    totalBytes: relations.reduce((sum, relation) => sum + relation.bytes, 0),
    chunkRows: Number(counts!.chunk_rows),
    stagedRows: Number(counts!.staged_rows),
    samples: Number(counts!.samples ?? 0),
    relations,
  };
}

export const bytesPerPatientDay = (storage: TStorage) => (storage.samples > 0 ? storage.totalBytes / (storage.samples / 86_400) : Number.NaN);

export type TBaselineResult = { statements: number; rows: number; samples: number; elapsedMs: number; samplesPerSec: number };

/**
 * The bare-INSERT baseline: the same batches the API would store, as parametrized multi-row INSERTs
 * into the table the API writes them to ("HeartRateStagedBatch": bpm one byte per sample, activity two)
 * on one connection, one statement per transaction. No API, no validation, no duplicate checks, no
 * lastSeenAt, no compaction: what the table, its key and its foreign keys cost on their own.
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
    return `($${p + 1}::uuid, $${p + 2}::uuid, $${p + 3}::int, $${p + 4}::timestamptz, $${p + 5}::int, $${p + 6}::bytea, $${p + 7}::bytea)`;
  });
  const sql = `INSERT INTO "HeartRateStagedBatch" ("deviceId", "patientId", "seq", "startedAt", "intervalMs", "bpm", "activity") VALUES ${values.join(", ")}`;
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
      params.push(device.deviceId, device.patientId, options.seqBase + batchIndex, startedAt, 1000, Buffer.from(bpm), Buffer.from(encodeStagedActivity(activity), "hex"));
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
