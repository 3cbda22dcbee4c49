// Server-only. Keeps a running instance on the active version of a model: checks the registry every
// intervalMs (and at once when asked, e.g. right after an admin activated a version on this instance),
// and when the active version changed, materializes its files and hands them to `serve`. Every
// instance runs one, so all of them pick a new version up within one interval.
import type { TDb } from "../db/create-prisma-client";
import { getLogger } from "../log/logger";
import { materializeActiveModel, type TMaterializedModel } from "./materialize-model-version";

export type TActiveModelWatcher = { refresh(): Promise<void>; stop(): void; current(): TMaterializedModel | null };

export function watchActiveModel(options: {
  db: TDb;
  name: string;
  committedDir: string;
  dataDir: string;
  intervalMs: number;
  initial: TMaterializedModel | null;
  serve: (model: TMaterializedModel) => Promise<void>;
}): TActiveModelWatcher {
  const log = getLogger().child({ component: "model-watcher", model: options.name });
  let current = options.initial;
  let running: Promise<void> | undefined;
  let stopped = false;

  const check = async () => {
    // A cheap look first: the weights are read and written out only when the active version changed.
    const latest = await options.db.modelVersion.findFirst({ where: { name: options.name, status: "ACTIVE" }, orderBy: { version: "desc" }, select: { sha256: true } });
    if (!latest || latest.sha256 === current?.sha256 || stopped) return;
    const active = await materializeActiveModel(options);
    if (!active || active.sha256 === current?.sha256 || stopped) return;
    const startedAt = Date.now();
    await options.serve(active);
    log.info({ version: active.version, sha256: active.sha256, swapMs: Date.now() - startedAt }, "now serving the active model version");
    current = active;
  };
  const refresh = () => {
    running ??= check()
      .catch((error: unknown) => log.error({ err: error instanceof Error ? error.message : "unknown" }, "could not switch to the active model version; the previous one keeps serving"))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void refresh(), options.intervalMs);
  timer.unref();
  return {
    refresh,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    current: () => current,
  };
}
