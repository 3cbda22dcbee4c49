// Server-only. Starts PulseGuard in one process: database (migrated, seeded), Next.js and socket.io on
// one HTTP server. Returns a handle whose close() drains in-flight requests before closing the database.
import type { AddressInfo } from "node:net";
import path from "node:path";
import next from "next";
import type { TConfig } from "../config";
import { applyMigrations } from "../db/migrate";
import { openDatabase, type TDatabase } from "../db/open-database";
import { createEscalationPolicy } from "../alerts/escalation-policy";
import { startAlertScheduler, type TAlertScheduler } from "../alerts/start-alert-scheduler";
import { startEcgClassifierPool } from "../detect/ecg/create-ecg-classifier-pool";
import { createSwappableEcgClassifier } from "../detect/ecg/create-swappable-ecg-classifier";
import { materializeActiveModel } from "../models/materialize-model-version";
import { watchActiveModel } from "../models/watch-active-model";
import { loadWatchScreenModel } from "../detect/screen/load-watch-screen-model";
import { createDetectionService, type TDetectionService } from "../detect/service/create-detection-service";
import type { TEcgClassifier } from "../detect/cascade/ecg-classification";
import { closeHeEvalPool, startHeEvalPool } from "../he/he-eval-pool";
import { getLogger } from "../log/logger";
import { createRealtimeServer, type TRealtime } from "../realtime/create-realtime-server";
import { formatDemoLogins, readDemoCredentials, seedDemoIfEmpty } from "../seed/seed-demo";
import { createIngestWriter } from "../ingest/create-ingest-writer";
import { setServerContext } from "../server-context";
import { FEDERATED_MODEL_NAME, registerCommittedModel, sweepRounds } from "../fl/rounds";
import { createDrainingServer } from "./create-draining-server";

export type TRunningServer = { url: string; close(reason: string): Promise<void> };

export async function startServer(options: { config: TConfig; projectDir: string; print?: (text: string) => void }): Promise<TRunningServer> {
  const { config, projectDir } = options;
  const print = options.print ?? ((text: string) => process.stdout.write(`${text}\n`));
  const logger = getLogger();
  // Everything this server writes (the embedded database, demo credentials, materialized models) is
  // private to its user, so the start-up check of the data folder finds nothing to repair next time.
  process.umask(0o077);

  const database: TDatabase = config.DATABASE_URL
    ? await openDatabase({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE })
    : await openDatabase({
        dataDir: config.dataDirAbsolute,
        // Repairing rather than refusing: an install made before modes were checked keeps working, and
        // the line says what was exposed (paths only, never contents). Unrepairable modes refuse start.
        onModesRepaired: (report) =>
          logger.warn(
            { dataDir: config.dataDirAbsolute, repaired: report.repaired.length, checked: report.checked, examples: report.repaired.slice(0, 5) },
            "data folder was readable by other users: made private (folders 0700, files 0600)",
          ),
      });
  let realtime: TRealtime | undefined;
  let scheduler: TAlertScheduler | undefined;
  let classifier: TEcgClassifier | undefined;
  try {
    const migrated = await database.withRawConnection((connection) =>
      applyMigrations({
        connection,
        migrationsDir: path.join(projectDir, "prisma", "migrations"),
        onApplied: (name, durationMs) => logger.info({ migration: name, durationMs }, "migration applied"),
      }),
    );
    logger.info({ database: database.kind, migration: migrated.latest, applied: migrated.applied.length }, "database ready");

    if (config.SEED_DEMO) {
      const seeded = await seedDemoIfEmpty({ db: database.prisma, dataDir: config.dataDirAbsolute });
      const credentials = seeded ?? readDemoCredentials(config.dataDirAbsolute);
      if (seeded) logger.info({ users: seeded.logins.length, devices: seeded.devices.length }, "demo data seeded");
      if (credentials) print(formatDemoLogins(credentials));
    }

    // The committed ECG model is version 1 in the registry: federated rounds start from the active version.
    await registerCommittedModel({ db: database.prisma, modelDir: path.join(projectDir, "public", "models", FEDERATED_MODEL_NAME), name: FEDERATED_MODEL_NAME });

    const ingest = createIngestWriter({ database, maxQueuedSamples: config.INGEST_MAX_QUEUED_SAMPLES, maxConcurrentFlushes: config.INGEST_CONCURRENT_FLUSHES });

    const isDev = config.NODE_ENV !== "production";
    const nextApp = next({ dev: isDev, dir: projectDir, hostname: config.HOST, port: config.PORT });
    // Requests arrive only after listen(), by which time Next is prepared.
    const route: { handle?: ReturnType<typeof nextApp.getRequestHandler> } = {};
    const server = createDrainingServer((request, response) => void route.handle?.(request, response), {
      trustedProxies: config.TRUSTED_PROXIES,
    });
    const { httpServer } = server;

    const escalation = createEscalationPolicy(config.ALERT_ESCALATION_DELAYS_S);
    // Both models are checked against their manifests' sha256 before anyone is screened with them.
    const screenModel = config.DETECTION ? await loadWatchScreenModel({ modelDir: path.join(projectDir, "public", "models", "watch-screen") }) : undefined;
    // The ECG model served is the registry's active version (a federated round's, once an admin activated it).
    const committedEcgDir = path.join(projectDir, "public", "models", FEDERATED_MODEL_NAME);
    const activeEcg = config.DETECTION ? await materializeActiveModel({ db: database.prisma, name: FEDERATED_MODEL_NAME, committedDir: committedEcgDir, dataDir: config.dataDirAbsolute }) : null;
    const startEcgPool = (modelDir: string) => startEcgClassifierPool({ size: config.ECG_POOL_SIZE, maxQueued: 256, taskTimeoutMs: 15_000, modelDir });
    const initialEcgPool = config.DETECTION ? startEcgPool(activeEcg?.modelDir ?? committedEcgDir) : undefined;
    const ecgClassifier = initialEcgPool ? createSwappableEcgClassifier(initialEcgPool) : undefined;
    classifier = ecgClassifier;
    // A missing or tampered model stops start-up here with its reason, instead of every strip failing later.
    // The HE pool starts here too: worker pools are created outside Next's bundle, once per process.
    await Promise.all([initialEcgPool?.ready(), startHeEvalPool()]);
    const ecgModelWatcher = ecgClassifier
      ? watchActiveModel({
          db: database.prisma,
          name: FEDERATED_MODEL_NAME,
          committedDir: committedEcgDir,
          dataDir: config.dataDirAbsolute,
          intervalMs: config.MODEL_REFRESH_INTERVAL_MS,
          initial: activeEcg,
          serve: (model) => ecgClassifier.swap(startEcgPool(model.modelDir)),
        })
      : undefined;
    realtime = await createRealtimeServer({
      httpServer,
      db: database.prisma,
      publicOrigin: config.PUBLIC_ORIGIN,
      redisUrl: config.REDIS_URL,
      ingest,
      createDetection:
        screenModel && ecgClassifier
          ? ({ requestStrip, alerts }) =>
              createDetectionService({
                db: database.prisma,
                screenWeights: screenModel.weights,
                screenModelVersion: `${screenModel.manifest.name}@${screenModel.manifest.version}`,
                cascadeConfig: { escalateScore: screenModel.manifest.thresholds.escalate, persistenceHits: screenModel.manifest.thresholds.persistenceHits },
                classifier: ecgClassifier,
                requestStrip,
                alerts,
                escalation,
              })
          : undefined,
    });
    const detection: TDetectionService | undefined = realtime.detection;
    const openFlRounds = realtime.flRounds;
    setServerContext({ config, database, ingest, alerts: realtime.alerts, escalation, flRounds: realtime.flRounds, models: ecgModelWatcher ? { refresh: () => ecgModelWatcher.refresh() } : undefined });
    scheduler = startAlertScheduler({
      db: database.prisma,
      publisher: realtime.alerts,
      escalation,
      staleAfterMin: config.STALE_DEVICE_AFTER_MIN,
      intervalMs: config.ALERT_SWEEP_INTERVAL_MS,
      extraSweeps: [
        ...(detection ? [(now: Date) => detection.sweepExpiredRequests(now)] : []),
        // Federated rounds whose stage deadline passed: the silent hospitals are dropped, the round goes on.
        async (now: Date) => {
          await sweepRounds({ db: database.prisma, now, publishRound: (roundId) => openFlRounds.publish(roundId) });
          return [];
        },
      ],
    });

    await nextApp.prepare();
    route.handle = nextApp.getRequestHandler();

    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen(config.PORT, config.HOST, () => resolve());
    });
    const { port } = httpServer.address() as AddressInfo;
    const url = `http://${config.HOST === "0.0.0.0" ? "localhost" : config.HOST}:${port}`;
    logger.info({ url, database: database.kind, dev: isDev }, "PulseGuard listening");

    let closing: Promise<void> | undefined;
    const openRealtime = realtime;
    const openScheduler = scheduler;
    return {
      url,
      close(reason) {
        closing ??= (async () => {
          logger.info({ reason, inFlight: server.inFlight() }, "shutting down: no new connections, draining requests");
          const { timedOut } = await server.drain(config.SHUTDOWN_GRACE_MS);
          if (timedOut) logger.warn({ inFlight: server.inFlight() }, "grace period over; closing remaining requests");
          await openScheduler.stop();
          await openRealtime.close();
          httpServer.closeAllConnections();
          // Batches already accepted are written before the database closes; detection finishes what
          // they started (strip requests, classifications, alerts) before the models and database go.
          await ingest.close();
          await detection?.close();
          ecgModelWatcher?.stop();
          await ecgClassifier?.close();
          await closeHeEvalPool();
          await nextApp.close?.();
          setServerContext(undefined);
          await database.close();
          logger.info({ reason }, "shut down cleanly");
        })();
        return closing;
      },
    };
  } catch (error) {
    await scheduler?.stop().catch(() => undefined);
    await classifier?.close().catch(() => undefined);
    await closeHeEvalPool().catch(() => undefined);
    await realtime?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}
