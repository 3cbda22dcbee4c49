import { parseConfig } from "@/lib/config";
import type { TDatabase } from "@/lib/db/open-database";
import { createIngestWriter, type TIngestWriter } from "@/lib/ingest/create-ingest-writer";
import { setServerContext } from "@/lib/server-context";

/** Points route handlers at this test database, with an ingest writer of their own. */
export function useDatabaseInServerContext(database: TDatabase, env: Record<string, string> = {}): TIngestWriter {
  const config = parseConfig({ LOG_LEVEL: "error", ...env });
  const ingest = createIngestWriter({ db: database.prisma, maxQueuedSamples: config.INGEST_MAX_QUEUED_SAMPLES });
  setServerContext({ config, database, ingest });
  return ingest;
}
