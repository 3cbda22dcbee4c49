import path from "node:path";
import { parseConfig } from "@/lib/config";
import { applyMigrations } from "@/lib/db/migrate";
import { openDatabase, type TDatabase } from "@/lib/db/open-database";

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

/** DATABASE_URL when set (CI runs the suite a second time against PostgreSQL), else in-memory PGlite. */
export function getTestDatabaseUrl(): string | undefined {
  return parseConfig(process.env).DATABASE_URL;
}

/**
 * A migrated database for one test file. On PostgreSQL the files share one database, so tests make
 * their own rows with random ids and never assume an empty table.
 */
export async function createTestDatabase(): Promise<TDatabase> {
  const databaseUrl = getTestDatabaseUrl();
  const database = databaseUrl ? await openDatabase({ databaseUrl, poolSize: 4 }) : await openDatabase({ dataDir: "memory" });
  await database.withRawConnection((connection) => applyMigrations({ connection, migrationsDir: MIGRATIONS_DIR }));
  return database;
}
