import { parseConfig } from "@/lib/config";
import type { TDatabase } from "@/lib/db/open-database";
import { setServerContext } from "@/lib/server-context";

export function useDatabaseInServerContext(database: TDatabase, env: Record<string, string> = {}) {
  setServerContext({ config: parseConfig({ LOG_LEVEL: "error", ...env }), database, migration: null });
}
