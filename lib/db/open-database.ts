// Server-only. Opens the embedded PGlite (default) or a PostgreSQL server (DATABASE_URL) behind one
// Prisma client, and hands the migrator a dedicated raw connection.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { createPrismaClient, type TDb } from "./create-prisma-client";
import type { TMigrationConnection } from "./migrate";

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
  | { dataDir: string | "memory" };

export async function openDatabase(options: TOpenDatabaseOptions): Promise<TDatabase> {
  return "databaseUrl" in options ? openPostgres(options.databaseUrl, options.poolSize ?? 10) : openPglite(options.dataDir);
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

async function openPglite(dataDir: string): Promise<TDatabase> {
  let release = () => {};
  let client: PGlite;
  if (dataDir === "memory") {
    client = await PGlite.create();
  } else {
    mkdirSync(dataDir, { recursive: true });
    release = takeDataDirLock(dataDir);
    try {
      client = await PGlite.create(path.join(dataDir, "pglite"));
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
    writeFileSync(lockPath, String(process.pid), { flag: "wx" });
  } catch {
    const holder = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isProcessAlive(holder)) {
      throw new Error(
        `The embedded database in ${dataDir} is in use by process ${holder}. Stop it, or set DATA_DIR to another folder.`,
      );
    }
    writeFileSync(lockPath, String(process.pid));
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
