// Server-only. Applies prisma/migrations/*/migration.sql in order, once each, recording them in Prisma's
// own _prisma_migrations table (same columns and sha256 checksums), so `prisma migrate deploy` stays
// usable wherever the native engine exists.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** One dedicated connection: the lock, the transaction and the statements must share it. */
export type TMigrationConnection = {
  query<TRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<TRow[]>;
  /** Runs a script of several statements. */
  exec(sql: string): Promise<void>;
  /** True where several processes may share the database (PostgreSQL), so a lock is needed. */
  isShared: boolean;
};

export type TMigrationFile = { name: string; sql: string; checksum: string };

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

// Arbitrary constant: every PulseGuard instance takes the same advisory lock before migrating, so two
// instances starting together apply each migration once (the second waits, then finds nothing to do).
const MIGRATION_LOCK_KEY = 7_325_114_893;

const CREATE_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

export async function readMigrationFiles(migrationsDir: string): Promise<TMigrationFile[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const files: TMigrationFile[] = [];
  for (const name of names) {
    const sql = await readFile(path.join(migrationsDir, name, "migration.sql"), "utf8");
    files.push({ name, sql, checksum: checksumOf(sql) });
  }
  return files;
}

export type TMigrateResult = { applied: string[]; latest: string | null };

export async function applyMigrations(options: {
  connection: TMigrationConnection;
  migrationsDir: string;
  onApplied?: (name: string, durationMs: number) => void;
}): Promise<TMigrateResult> {
  const { connection } = options;
  const files = await readMigrationFiles(options.migrationsDir);

  if (connection.isShared) await connection.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
  try {
    await connection.exec(CREATE_TABLE_SQL);
    const rows = await connection.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations"
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
    );
    const appliedByName = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    const localNames = new Set(files.map((file) => file.name));

    for (const [name, checksum] of appliedByName) {
      const file = files.find((candidate) => candidate.name === name);
      if (file && file.checksum !== checksum) {
        throw new MigrationError(
          `Migration ${name} was edited after it was applied (checksum ${checksum.slice(0, 12)}… in the ` +
            `database, ${file.checksum.slice(0, 12)}… on disk). Restore the original file and put the change ` +
            `in a new migration (npm run db:migration -- <name>).`,
        );
      }
      if (!localNames.has(name)) {
        throw new MigrationError(
          `The database has migration ${name}, which this code does not know. It was migrated by a newer ` +
            `version of PulseGuard; refusing to start an older one against it.`,
        );
      }
    }

    const applied: string[] = [];
    for (const file of files) {
      if (appliedByName.has(file.name)) continue;
      const startedAt = Date.now();
      await connection.exec("BEGIN");
      try {
        await connection.exec(file.sql);
        await connection.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, $4, now(), 1)`,
          [randomUUID(), file.checksum, file.name, new Date(startedAt)],
        );
        await connection.exec("COMMIT");
      } catch (error) {
        await connection.exec("ROLLBACK");
        const reason = error instanceof Error ? error.message : String(error);
        throw new MigrationError(`Migration ${file.name} failed and was rolled back: ${reason}`);
      }
      applied.push(file.name);
      options.onApplied?.(file.name, Date.now() - startedAt);
    }
    return { applied, latest: files.at(-1)?.name ?? null };
  } finally {
    if (connection.isShared) await connection.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
  }
}

export async function getLatestAppliedMigration(connection: Pick<TMigrationConnection, "query">): Promise<string | null> {
  const rows = await connection.query<{ migration_name: string }>(
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL
     ORDER BY migration_name DESC LIMIT 1`,
  );
  return rows[0]?.migration_name ?? null;
}
