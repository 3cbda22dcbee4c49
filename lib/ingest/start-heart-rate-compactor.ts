// Server-only. Runs compactHeartRate on a timer, one run at a time, until stopped.
import type { TDb } from "../db/create-prisma-client";
import { traceAlertPathActivity } from "../alerts/alert-path-trace";
import { getLogger } from "../log/logger";
import { compactHeartRate, type TCompactionResult } from "./compact-heart-rate";

// Every 5 minutes: staging then holds about 5 minutes of batches (~30 narrow rows per watch), and
// each hourly chunk is rewritten about 12 times while its hour fills. Hourly-only compaction would
// write each chunk once but keep an hour staged (~50 KB per watch) and do an hour's work at once.
export const COMPACT_EVERY_MS = 5 * 60_000;
// The first run one period after start, like every other: batches staged before a restart (or moved
// in by the migration) wait at most that long, and short-lived writers (tests, tools) never compact
// behind the back of whoever closes their database.
export const FIRST_COMPACTION_AFTER_MS = COMPACT_EVERY_MS;

export type THeartRateCompactor = {
  /** Runs a compaction now (after the one in progress, if any). */
  runNow(): Promise<TCompactionResult>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
};

export function startHeartRateCompactor(options: { db: TDb; everyMs?: number; firstAfterMs?: number }): THeartRateCompactor {
  const everyMs = options.everyMs ?? COMPACT_EVERY_MS;
  const logger = getLogger();
  let running: Promise<TCompactionResult> | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const run = (): Promise<TCompactionResult> => {
    const previous = running ?? Promise.resolve(undefined);
    let startedAtMs = Date.now();
    const next = previous
      .catch(() => undefined)
      .then(() => {
        startedAtMs = Date.now();
        return compactHeartRate({ db: options.db, shouldStop: () => stopped });
      })
      .then(
        (result) => {
          traceAlertPathActivity("heart-rate-compaction", startedAtMs, { batches: result.batches, transactions: result.transactions, maxTransactionMs: Math.round(result.maxTransactionMs) });
          if (result.batches > 0 || result.skipped) {
            logger.info(
              { batches: result.batches, samples: result.samples, chunks: result.chunks, transactions: result.transactions, maxTransactionMs: Math.round(result.maxTransactionMs), skipped: result.skipped, ms: Math.round(result.ms) },
              "heart-rate compaction",
            );
          }
          return result;
        },
        (error: unknown) => {
          // Name and code only: a database error can quote row data.
          const code = (error as { code?: unknown } | null)?.code;
          logger.error({ err: error instanceof Error ? { name: error.name, code: typeof code === "string" ? code : undefined } : undefined }, "heart-rate compaction failed");
          throw error;
        },
      );
    running = next;
    void next.finally(() => {
      if (running === next) running = null;
    }).catch(() => undefined);
    return next;
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void run()
        .catch(() => undefined)
        .finally(() => schedule(everyMs));
    }, delayMs);
    timer.unref();
  };
  schedule(options.firstAfterMs ?? (options.everyMs ?? FIRST_COMPACTION_AFTER_MS));

  return {
    runNow: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
