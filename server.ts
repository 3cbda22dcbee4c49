// The one PulseGuard process: Next.js and socket.io on one HTTP server. `npm start` runs this.
import path from "node:path";
import { getConfig } from "./lib/config";
import { getLogger } from "./lib/log/logger";
import { MigrationError } from "./lib/db/migrate";
import { startServer } from "./lib/server/start-server";

async function main() {
  const config = getConfig();
  const logger = getLogger();
  const server = await startServer({ config, projectDir: path.dirname(new URL(import.meta.url).pathname) });
  process.stdout.write(`\nPulseGuard is running at ${server.url}  (Ctrl+C to stop)\n`);

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, "second signal: exiting without draining");
      process.exit(1);
    }
    server.close(signal).then(
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
