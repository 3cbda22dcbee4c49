import type { TAlertChange, TAlertPublisher } from "@/lib/alerts/alert-change";
import { createEscalationPolicy } from "@/lib/alerts/escalation-policy";
import { parseConfig } from "@/lib/config";
import type { TDatabase } from "@/lib/db/open-database";
import { createIngestWriter, type TIngestWriter } from "@/lib/ingest/create-ingest-writer";
import { setServerContext } from "@/lib/server-context";

/** Records what route handlers publish, so tests can check that a change was pushed after its write. */
export type TRecordingPublisher = TAlertPublisher & { published: TAlertChange[] };

export function createRecordingPublisher(): TRecordingPublisher {
  const published: TAlertChange[] = [];
  return { published, publish: async (changes) => void published.push(...changes) };
}

/** Points route handlers at this test database, with an ingest writer of their own. */
export function useDatabaseInServerContext(
  database: TDatabase,
  env: Record<string, string> = {},
  alerts: TAlertPublisher = createRecordingPublisher(),
): TIngestWriter {
  const config = parseConfig({ LOG_LEVEL: "error", ...env });
  const ingest = createIngestWriter({ database, maxQueuedSamples: config.INGEST_MAX_QUEUED_SAMPLES });
  setServerContext({ config, database, ingest, alerts, escalation: createEscalationPolicy(config.ALERT_ESCALATION_DELAYS_S) });
  return ingest;
}
