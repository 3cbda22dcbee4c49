// The one PulseGuard process: Next.js and socket.io on one HTTP server. `npm start` runs this, and with
// the demo data it also streams the demo watches through the simulator, as real device-API clients.
import path from "node:path";
import { getConfig } from "./lib/config";
import { MigrationError } from "./lib/db/migrate";
import { loadWatchScreenModel } from "./lib/detect/screen/load-watch-screen-model";
import { getLogger } from "./lib/log/logger";
import { readDemoCredentials } from "./lib/seed/seed-demo";
import { startServer } from "./lib/server/start-server";
import { loadScenarioFile } from "./lib/sim/scenario";
import { runCohort, type TCohort } from "./workers/simulator/run-cohort";
import { heartRateFromScenario } from "./workers/simulator/scenario-heart-rate";
import { startWatchStripSource } from "./workers/simulator/watch-strip-source";

const projectDir = path.dirname(new URL(import.meta.url).pathname);

async function startDemoSimulator(url: string): Promise<TCohort | undefined> {
  const config = getConfig();
  const credentials = config.SEED_DEMO && config.SIMULATE ? readDemoCredentials(config.dataDirAbsolute) : null;
  if (!credentials) return undefined;
  const scenario = loadScenarioFile(path.resolve(projectDir, config.SIMULATOR_SCENARIO));
  const logger = getLogger();
  logger.info({ devices: credentials.devices.length, scenario: scenario.name }, "demo simulator streaming (SIMULATE=false to turn off)");
  // The watches run the same tier-1 screen as the server, from the same integrity-checked artifact.
  const screenModel = await loadWatchScreenModel({ modelDir: path.join(projectDir, "public", "models", "watch-screen") });
  return runCohort({
    // Real recordings for the watches' ECG strips when PULSEGUARD_DATA_DIR is set, indexed in the background.
    ecgStrips: startWatchStripSource({ dataDir: config.PULSEGUARD_DATA_DIR, log: (message, fields) => logger.info(fields, `demo simulator ${message}`) }),
    watchScreen: { weights: screenModel.weights, escalateScore: screenModel.manifest.thresholds.escalate },
    baseUrl: url,
    devices: credentials.devices,
    transport: "socket",
    speedup: 1,
    seed: String(scenario.seed),
    // Demo patients take the scenario's patients in seed order, so each has its own story.
    heartRateFor: heartRateFromScenario(scenario, credentials.devices),
    progressEveryMs: 60_000,
    onProgress: (line) => logger.info({ simulator: line }, "demo simulator"),
  });
}

async function main() {
  const config = getConfig();
  const logger = getLogger();
  const server = await startServer({ config, projectDir });
  process.stdout.write(`\nPulseGuard is running at ${server.url}  (Ctrl+C to stop)\n`);
  const simulator = await startDemoSimulator(server.url);

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, "second signal: exiting without draining");
      process.exit(1);
    }
    void (async () => {
      await simulator?.stop();
      await server.close(signal);
    })().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  // A refused migration is an operator problem with a clear message; print it plainly.
  const message = error instanceof MigrationError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`PulseGuard failed to start: ${message}\n`);
  process.exit(1);
});
