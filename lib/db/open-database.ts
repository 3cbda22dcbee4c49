// Server-only. Opens the embedded PGlite (default) or a PostgreSQL server (DATABASE_URL) behind one
// Prisma client, and hands the migrator a dedicated raw connection.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isMainThread } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { createPrismaClient, type TDb } from "./create-prisma-client";
import type { TMigrationConnection } from "./migrate";
import { restrictDataDirModes, type TModeRepairReport } from "./restrict-data-dir-modes";

/** Plain SQL with positional parameters ($1, $2, ...); rows come back as objects. */
export type TSql = { query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]> };

export type TDatabase = {
  prisma: TDb;
  kind: "pglite" | "postgres";
  /**
   * Runs fn in one transaction and commits when it resolves (rolls back when it throws). Plain SQL
   * straight on the driver, for the hot path of ingestion: Prisma's per-query work (argument mapping,
   * its interpreter, result conversion) was the largest CPU item of a group commit (bench:ingest
   * profile). PostgreSQL: a pooled connection of its own; PGlite: under its transaction lock, as
   * Prisma's own transactions are. PostgreSQL statements are cancelled after `statementTimeoutMs`
   * (default 60 s, as Prisma's transaction timeout was), so a stuck lock cannot hold a connection forever.
   */
  transaction<T>(fn: (sql: TSql) => Promise<T>, options?: { statementTimeoutMs?: number }): Promise<T>;
  /** A raw connection for the migrator and health checks; not for application queries. */
  withRawConnection<T>(fn: (connection: TMigrationConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export type TOpenDatabaseOptions =
  | { databaseUrl: string; poolSize?: number }
  | {
      dataDir: string | "memory";
      /** Told when the folder held files or folders other users could read (an install from before
       * modes were checked), after they were made private. */
      onModesRepaired?: (report: TModeRepairReport) => void;
    };

export async function openDatabase(options: TOpenDatabaseOptions): Promise<TDatabase> {
  return "databaseUrl" in options ? openPostgres(options.databaseUrl, options.poolSize ?? 10) : openPglite(options.dataDir, options.onModesRepaired);
}

async function openPostgres(databaseUrl: string, poolSize: number): Promise<TDatabase> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const prisma = createPrismaClient(new PrismaPg(pool));
  return {
    prisma,
    kind: "postgres",
    async withRawConnection(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          isShared: true,
          async query(sql, params) {
            return (await client.query(sql, params)).rows;
          },
          async exec(sql) {
            await client.query(sql);
          },
        });
      } finally {
        client.release();
      }
    },
    async transaction(fn, options) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        // One round trip: the simple protocol runs both statements.
        await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.max(1, Math.round(options?.statementTimeoutMs ?? 60_000))}`);
        const result = await fn({ query: async (sql, params) => (await client.query(sql, params)).rows });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        // A connection that cannot even roll back is dropped from the pool rather than reused.
        await client.query("ROLLBACK").catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error("ROLLBACK failed");
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string, onModesRepaired?: (report: TModeRepairReport) => void): Promise<TDatabase> {
  let release = () => {};
  let client: PGlite;
  if (dataDir === "memory") {
    client = await PGlite.create();
  } else {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    release = takeDataDirLock(dataDir);
    try {
      // Checked before the database opens: a folder others can read is repaired (and said so) or, when
      // its modes cannot be changed, refused (restrictDataDirModes throws).
      const existing = restrictDataDirModes(dataDir);
      if (existing.repaired.length > 0) onModesRepaired?.(existing);
      client = await withPrivateUmask(() => PGlite.create(path.join(dataDir, "pglite")));
      // PGlite writes its initial cluster 0666 whatever the umask; PostgreSQL creates later files 0600.
      restrictDataDirModes(dataDir);
    } catch (error) {
      release();
      throw error;
    }
  }
  const prisma = createPrismaClient(new PrismaPGlite(client));
  return {
    prisma,
    kind: "pglite",
    async withRawConnection(fn) {
      return fn({
        isShared: false,
        async query(sql, params) {
          return (await client.query(sql, params)).rows as never[];
        },
        async exec(sql) {
          await client.exec(sql);
        },
      });
    },
    async transaction(fn) {
      return client.transaction((tx) => fn({ query: async (sql, params) => (await tx.query(sql, params)).rows as never[] }));
    },
    async close() {
      await prisma.$disconnect();
      await client.close();
      release();
    },
  };
}

/**
 * PGlite owns its folder exclusively and has no lock of its own: a second process opening it would
 * corrupt it. A pid file refuses that with a clear message and is taken over when its process is gone.
 */
function takeDataDirLock(dataDir: string): () => void {
  const lockPath = path.join(dataDir, "pulseguard.pid");
  try {
    writeFileSync(lockPath, String(process.pid), { flag: "wx", mode: 0o600 });
  } catch {
    const holder = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isProcessAlive(holder)) {
      throw new Error(
        `The embedded database in ${dataDir} is in use by process ${holder}. Stop it, or set DATA_DIR to another folder.`,
      );
    }
    writeFileSync(lockPath, String(process.pid), { mode: 0o600 });
  }
  return () => rmSync(lockPath, { force: true });
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs fn with umask 077, so what PGlite creates meanwhile (its lock and option files) starts private.
 * The umask belongs to the process and cannot be set from a worker thread; there fn just runs.
 */
async function withPrivateUmask<T>(fn: () => Promise<T>): Promise<T> {
  if (!isMainThread) return fn();
  const previous = process.umask(0o077);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}
