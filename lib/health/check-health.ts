// Server-only.
import type { TDatabase } from "../db/open-database";
import { getLatestAppliedMigration } from "../db/migrate";

export async function checkHealth(options: { database: TDatabase }) {
  const startedAt = performance.now();
  try {
    const migration = await options.database.withRawConnection((connection) => getLatestAppliedMigration(connection));
    return {
      status: "ok" as const,
      database: { kind: options.database.kind, reachable: true, latencyMs: Math.round(performance.now() - startedAt), migration },
    };
  } catch {
    return { status: "degraded" as const, database: { kind: options.database.kind, reachable: false, latencyMs: null, migration: null } };
  }
}
