// Server-only. server.ts creates the database (and later the worker pools and socket.io server) once and
// parks them on globalThis: Next bundles route handlers into a separate module graph in the same
// process, and a module-level singleton there would open the PGlite folder a second time.
import type { TAlertPublisher } from "./alerts/alert-change";
import type { TEscalationPolicy } from "./alerts/escalation-policy";
import type { TConfig } from "./config";
import type { TDatabase } from "./db/open-database";
import type { TIngestWriter } from "./ingest/create-ingest-writer";
import type { TRoundProgressPublisher } from "./realtime/create-round-progress-publisher";

export type TServerContext = {
  config: TConfig;
  database: TDatabase;
  /** Group-commit writer for device batches. */
  ingest: TIngestWriter;
  /** Pushes committed alert changes (socket.io, across instances through Redis). */
  alerts: TAlertPublisher;
  escalation: TEscalationPolicy;
  /** Pushes federated-round progress to hospital admins; absent where no socket server runs (tests). */
  flRounds?: TRoundProgressPublisher;
  /** Switches this instance to the registry's active model versions now (others follow within MODEL_REFRESH_INTERVAL_MS). */
  models?: { refresh(): Promise<void> };
};

const holder = globalThis as unknown as { __pulseguardContext?: TServerContext };

export function setServerContext(context: TServerContext | undefined): void {
  holder.__pulseguardContext = context;
}

export function getServerContextOrThrow(): TServerContext {
  const context = holder.__pulseguardContext;
  if (!context) throw new Error("PulseGuard server context is not initialised; start the app with server.ts (npm start)");
  return context;
}
