// The watch simulator as a stand-alone client of any PulseGuard server:
//   npm run simulate -- --url http://localhost:3000 --speedup 60 --minutes 120
// Devices and tokens come from a credentials file (the demo seed writes .data/demo-credentials.json).
// With --data DIR (or PULSEGUARD_DATA_DIR) the watches answer ECG requests with real recordings.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { getConfig } from "../../lib/config";
import { resolveDataDir } from "../../lib/datasets/locate-dataset";
import { loadScenarioFile } from "../../lib/sim/scenario";
import { loadWatchScreenModel } from "../../lib/detect/screen/load-watch-screen-model";
import { formatProgress, runCohort, type TCohortSummary } from "./run-cohort";
import { heartRateFromScenario } from "./scenario-heart-rate";
import { startWatchStripSource } from "./watch-strip-source";

const ZArgs = z.object({
  url: z.string().url().default("http://localhost:3000"),
  credentials: z.string().default(".data/demo-credentials.json"),
  transport: z.enum(["socket", "http"]).default("socket"),
  speedup: z.coerce.number().min(1).max(100_000).default(1),
  minutes: z.coerce.number().positive().optional(),
  scenario: z.string().optional(),
  seed: z.string().default("pulseguard-sim"),
  data: z.string().min(1).optional(),
});

const ZCredentials = z.object({
  devices: z.array(z.object({ deviceId: z.string(), token: z.string(), kind: z.enum(["WATCH", "CGM"]), patientId: z.string() })),
});

function printSummary(summary: TCohortSummary, elapsedMs: number) {
  const { totals } = summary;
  process.stdout.write(
    [
      "",
      "Simulator summary",
      `  devices            ${summary.devices.length}`,
      `  samples generated  ${totals.sentSamples}`,
      `  samples acked      ${totals.ackedSamples}`,
      `  batches stored     ${totals.stored} (duplicates acked ${totals.duplicate}, rejected ${totals.rejected})`,
      `  retries            ${totals.retries}`,
      `  dropped (buffer)   ${totals.dropped}`,
      `  ECG strips         ${summary.ecg.delivered} sent of ${summary.ecg.requested} asked (${summary.ecg.realStrips} real recordings)`,
      `  wall time          ${(elapsedMs / 1000).toFixed(1)} s`,
      ...summary.devices.filter((device) => device.lastRejection).map((device) => `  ${device.deviceId} last rejection: ${device.lastRejection}`),
      "",
    ].join("\n"),
  );
}

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      credentials: { type: "string" },
      transport: { type: "string" },
      speedup: { type: "string" },
      minutes: { type: "string" },
      scenario: { type: "string" },
      seed: { type: "string" },
      data: { type: "string" },
    },
  });
  const args = ZArgs.parse(values);
  const { devices } = ZCredentials.parse(JSON.parse(readFileSync(args.credentials, "utf8")));
  const scenario = args.scenario ? loadScenarioFile(args.scenario) : undefined;
  const watches = devices.filter((device) => device.kind === "WATCH");
  const sensors = devices.length - watches.length;
  const startedAt = Date.now();
  const durationSimMs = args.minutes ? args.minutes * 60_000 : undefined;
  process.stdout.write(
    `Simulating ${watches.length} watches and ${sensors} glucose sensors against ${args.url} over ${args.transport}, speed-up ${args.speedup}x` +
      `${durationSimMs ? `, ${args.minutes} simulated minutes` : ", until stopped (Ctrl+C)"}${scenario ? `, scenario ${scenario.name}` : ""}\n`,
  );
  // The same tier-1 screen the server runs, on each simulated watch (integrity-checked like the server's).
  const screenModel = await loadWatchScreenModel({ modelDir: path.resolve(import.meta.dirname, "../../public/models/watch-screen") });
  const ecgStrips = startWatchStripSource({
    dataDir: resolveDataDir(args.data, getConfig().PULSEGUARD_DATA_DIR),
    log: (message, fields) => process.stdout.write(`${message} ${JSON.stringify(fields)}\n`),
  });
  const cohort = runCohort({
    ecgStrips,
    watchScreen: { weights: screenModel.weights, escalateScore: screenModel.manifest.thresholds.escalate },
    baseUrl: args.url,
    devices,
    transport: args.transport,
    speedup: args.speedup,
    durationSimMs,
    seed: args.seed,
    heartRateFor: heartRateFromScenario(scenario, devices),
    onProgress: (line) => process.stdout.write(`${line}\n`),
  });
  process.once("SIGINT", () => {
    void cohort.stop().then((summary) => {
      printSummary(summary, Date.now() - startedAt);
      process.exit(0);
    });
  });
  const summary = await cohort.done;
  process.stdout.write(`${formatProgress(summary, durationSimMs ?? 0, durationSimMs)}\n`);
  printSummary(summary, Date.now() - startedAt);
  process.exit(summary.totals.rejected > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
