// npm run bench:console: is the clinician console smooth with 200 live patients? A real server process
// (production build, PGlite, SIMULATE=false, detection off so the server's CPU goes to ingest and
// pushes) has 200 patients, each with a watch streaming over the device socket, all on one clinician's
// care team. Chromium opens that clinician's console (which subscribes to all 200 in one patients:watch)
// and the page itself records long tasks (PerformanceObserver 'longtask'), frames and renders:
//   baseline: the same page, same server and sockets, for the same time with no heart rate flowing;
//   live:     every watch sends one batch every --batch-s seconds (200 pushes/s into the page at 1 s).
// It prints progress lines, then `RESULT {...}` for the live phase with the baseline beside it.
//
//   npm run bench:console -- [--patients 200] [--seconds 30] [--batch-s 1] [--profile]
import { parseArgs } from "node:util";
import { createSession } from "../lib/auth/sessions";
import { generateHeartRate } from "../lib/sim/heart-rate";
import { setup as ensureProductionBuild } from "../test/global-setup";
import { createBenchTarget, migrate, seedWatches } from "./lib/bench-database";
import { startBenchServer, type TBenchServer } from "./lib/bench-server";
import { openConsole, readConsoleCounters, startCpuProfile, startPhase, type TConsolePage, type TPhaseMeasurement } from "./lib/console-browser";
import { openClientPool, type TClientPool } from "./lib/device-clients";
import { describeMachine } from "./lib/machine";
import { round, sleep } from "./lib/stats";

const { values: args } = parseArgs({
  options: {
    patients: { type: "string", default: "200" },
    seconds: { type: "string", default: "30" },
    "batch-s": { type: "string", default: "1" },
    // Also record a CPU profile of the page during the live phase and print where its time went.
    profile: { type: "boolean", default: false },
  },
});
const patientCount = Number(args.patients);
const phaseS = Number(args.seconds);
const batchS = Number(args["batch-s"]);
const PROGRESS_EVERY_MS = 5_000;

const log = (line: string) => process.stdout.write(`${line}\n`);

function summarize(phase: TPhaseMeasurement) {
  return {
    seconds: round(phase.seconds, 1),
    longTasks: phase.longTasks,
    longTasksOver100Ms: phase.longTasksOver100Ms,
    maxLongTaskMs: round(phase.maxLongTaskMs, 0),
    longTaskMsPerSecond: round(phase.totalLongTaskMs / phase.seconds, 1),
    framesPerSecond: round(phase.framesPerSecond, 1),
    pushesPerSecond: round(phase.messages / phase.seconds, 1),
    rendersPerSecond: round(phase.flushes / phase.seconds, 2),
  };
}

async function runPhase(name: string, consolePage: TConsolePage, whileRunning: (isStopped: () => boolean) => Promise<void>): Promise<TPhaseMeasurement> {
  log(`${name}: ${phaseS} s`);
  const stop = await startPhase(consolePage.page);
  let isStopped = false;
  const work = whileRunning(() => isStopped);
  const startedAt = Date.now();
  while (Date.now() - startedAt < phaseS * 1000) {
    await sleep(Math.min(PROGRESS_EVERY_MS, phaseS * 1000 - (Date.now() - startedAt)));
    const counters = await readConsoleCounters(consolePage.page);
    log(`  ${name} ${Math.round((Date.now() - startedAt) / 1000)} s: page has received ${counters.messages} pushes in ${counters.flushes} batched renders so far`);
  }
  const measured = await stop();
  isStopped = true;
  await work;
  log(`  ${name} done: ${JSON.stringify(summarize(measured))}`);
  return measured;
}

async function main() {
  log(`bench:console on ${JSON.stringify(describeMachine())}`);
  log(`patients ${patientCount}, ${phaseS} s per phase, one ${batchS} s batch per watch every ${batchS} s`);
  ensureProductionBuild();
  const target = await createBenchTarget({ kind: "pglite" });
  let server: TBenchServer | undefined;
  let pool: TClientPool | undefined;
  let consolePage: TConsolePage | undefined;
  try {
    // Seed with the server stopped (PGlite allows one process), then start the server on it.
    const database = await target.open();
    await migrate(database);
    const devices = await seedWatches({ database, count: patientCount });
    const db = database.prisma;
    const { hospitalId } = await db.patient.findUniqueOrThrow({ where: { id: devices[0]!.patientId }, select: { hospitalId: true } });
    const clinician = await db.user.create({
      data: { email: `bench-console-${Date.now()}@bench.invalid`, passwordHash: "scrypt$disabled", role: "CLINICIAN", displayName: "Console clinician", hospitalId },
    });
    await db.careTeamMember.createMany({ data: devices.map((device) => ({ patientId: device.patientId, clinicianId: clinician.id, rank: 0 })) });
    const session = await createSession({ db, userId: clinician.id, ttlMs: 3_600_000, now: new Date() });
    await database.close();
    log(`seeded ${devices.length} patients with watches on one clinician's care teams`);

    server = await startBenchServer({ dataDir: target.dataDir, logLevel: "warn", env: { SIMULATE: "false", DETECTION: "false" } });
    log(`server ${server.url} (pid ${server.pid})`);
    pool = await openClientPool({ transport: "socket", baseUrl: server.url, devices });
    log(`${pool.connected} watches connected over /device`);

    consolePage = await openConsole({ baseUrl: server.url, sessionToken: session.token, expectedPatients: patientCount });
    log(`console open in Chromium, subscribed to ${patientCount} patients`);
    // Let the first paint, hydration and socket set-up settle before measuring.
    await sleep(3_000);

    const baseline = await runPhase("baseline (no live updates)", consolePage, async () => undefined);

    const liveStartMs = Math.ceil(Date.now() / 1000) * 1000;
    const series = devices.map((_, index) =>
      generateHeartRate({ seed: `bench-console/${index}`, startEpochMs: liveStartMs, restingBpm: 58 + (index % 25) }, phaseS + 10 * batchS),
    );
    const clients = pool.clients;
    let sent = 0;
    let failed = 0;
    const stopProfile = args.profile ? await startCpuProfile(consolePage.page) : undefined;
    const live = await runPhase("live (all watches streaming)", consolePage, async (isStopped) => {
      const pending: Promise<void>[] = [];
      for (let batch = 0; !isStopped(); batch += 1) {
        const fromS = batch * batchS;
        const dueAt = liveStartMs + (fromS + batchS) * 1000;
        if (dueAt > Date.now()) await sleep(dueAt - Date.now());
        if (isStopped() || fromS + batchS > series[0]!.bpm.length) break;
        // Spread over the batch interval, as independent watches would send.
        clients.forEach((client, index) => {
          pending.push(
            sleep((index / clients.length) * batchS * 1000 * 0.8)
              .then(() =>
                client.send({
                  seq: batch + 1,
                  startedAt: new Date(liveStartMs + fromS * 1000).toISOString(),
                  intervalMs: 1000,
                  bpm: series[index]!.bpm.slice(fromS, fromS + batchS),
                  activity: series[index]!.activity.slice(fromS, fromS + batchS),
                }),
              )
              .then((outcome) => {
                if (outcome.kind === "ack") sent += 1;
                else failed += 1;
              }),
          );
        });
      }
      await Promise.all(pending);
    });
    log(`batches acknowledged ${sent}, not acknowledged ${failed}`);
    // Tiles out of view do not re-render (they catch up when scrolled to): check both halves of that.
    const countLiveTiles = () => consolePage!.page.evaluate("document.querySelectorAll('.tile .tile-bpm strong').length") as Promise<number>;
    const tilesLiveInView = await countLiveTiles();
    await consolePage.page.evaluate("window.scrollTo(0, document.body.scrollHeight)");
    await sleep(1_500);
    const tilesLiveAfterScroll = await countLiveTiles();
    log(`tiles showing a live bpm: ${tilesLiveInView} before scrolling (those in or near view), ${tilesLiveAfterScroll} after scrolling to the end`);
    if (stopProfile) {
      log("page CPU profile, live phase, top self time:");
      for (const line of await stopProfile()) log(`  ${line.selfMs.toFixed(0).padStart(7)} ms  ${line.fn}  ${line.url}`);
    }

    const liveSummary = summarize(live);
    const baselineSummary = summarize(baseline);
    log("");
    log(`live vs baseline: long tasks ${live.longTasks} vs ${baseline.longTasks}; long-task time ${liveSummary.longTaskMsPerSecond} vs ${baselineSummary.longTaskMsPerSecond} ms/s; frames ${liveSummary.framesPerSecond} vs ${baselineSummary.framesPerSecond} /s`);
    const result = {
      bench: "console",
      patients: patientCount,
      seconds: phaseS,
      longTasksOver100Ms: live.longTasksOver100Ms,
      maxLongTaskMs: round(live.maxLongTaskMs, 0),
      live: liveSummary,
      baseline: baselineSummary,
      framesRatioLiveToBaseline: round(live.framesPerSecond / baseline.framesPerSecond, 2),
      batchesAcknowledged: sent,
      tilesLiveInView,
      tilesLiveAfterScroll,
      batchesFailed: failed,
      batchS,
      machine: describeMachine(),
    };
    log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await consolePage?.browser.close();
    pool?.close();
    await server?.stop();
    await target.destroy();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
