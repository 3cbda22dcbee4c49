// Server-only. The periodic sweeps that need no request to trigger them: escalations that fell due and
// watches that went silent. Every instance runs it; the sweeps themselves make each action happen once.
import type { TDb } from "../db/create-prisma-client";
import { getLogger } from "../log/logger";
import { traceAlertPathActivity } from "./alert-path-trace";
import type { TAlertChange, TAlertPublisher } from "./alert-change";
import { escalateDueAlerts } from "./escalate-due-alerts";
import type { TEscalationPolicy } from "./escalation-policy";
import { raiseStaleDeviceAlerts } from "./raise-stale-device-alerts";

export type TAlertSweep = (now: Date) => Promise<TAlertChange[]>;

export type TAlertScheduler = { runOnce(now?: Date): Promise<number>; stop(): Promise<void> };

export function startAlertScheduler(options: {
  db: TDb;
  publisher: TAlertPublisher;
  escalation: TEscalationPolicy;
  staleAfterMin: number;
  intervalMs: number;
  /** Further sweeps owned by other modules (ECG requests that timed out), run in the same tick. */
  extraSweeps?: TAlertSweep[];
}): TAlertScheduler {
  const { db, publisher, escalation } = options;
  const log = getLogger().child({ component: "alert-scheduler" });
  const sweeps: TAlertSweep[] = [
    (now) => escalateDueAlerts({ db, escalation, now }),
    (now) => raiseStaleDeviceAlerts({ db, escalation, staleAfterMin: options.staleAfterMin, now }),
    ...(options.extraSweeps ?? []),
  ];
  let running: Promise<number> | undefined;

  async function tick(now: Date): Promise<number> {
    let published = 0;
    for (const [index, sweep] of sweeps.entries()) {
      const startedAtMs = Date.now();
      try {
        const changes = await sweep(now);
        if (changes.length > 0) await publisher.publish(changes);
        published += changes.length;
        traceAlertPathActivity("alert-sweep", startedAtMs, { sweep: index, changes: changes.length });
      } catch (error) {
        // One failing sweep must not stop the others (an escalation must still go out).
        log.error({ errorName: (error as Error).name, code: (error as { code?: string }).code }, "alert sweep failed");
      }
    }
    return published;
  }

  function runOnce(now = new Date()): Promise<number> {
    // Ticks never overlap: a slow database stretches the interval instead of piling up sweeps.
    running ??= tick(now).finally(() => (running = undefined));
    return running;
  }

  const timer = setInterval(() => void runOnce(), options.intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
