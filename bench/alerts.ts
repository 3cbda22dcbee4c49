// npm run bench:alerts: alert latency through the whole product. N patients' watches stream heart rate
// over the device socket to a real server process (detection on: watch screen, ECG requests, the ECG
// model on its worker pool); M clinicians are connected. Clinical episodes are injected for some
// patients; each watch answers an ECG request at once with a strip of its simulated state. Measured:
// from the moment the watch sent the heart-rate batch whose screen hit started the escalation, to the
// moment the responsible clinician's socket received the alert; and alerts written but never received.
//
//   npm run bench:alerts -- [--patients 1000] [--clinicians 50] [--episode-share 0.1] [--live-min 5]
//   DATABASE_URL=postgresql://... npm run bench:alerts -- --db postgres
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { io as connect, type Socket } from "socket.io-client";
import type { TAlertEventView } from "../lib/alerts/alert-views";
import { createSession } from "../lib/auth/sessions";
import { parseConfig } from "../lib/config";
import type { TEcgRequestMessage } from "../lib/detect/service/ecg-strip-upload";
import { ECG_RHYTHM_HEART_RATE_RANGES_BPM, ECG_RHYTHMS, encodeEcgSamples, generateEcgStrip, type TEcgRhythm } from "../lib/sim/ecg";
import { getEcgRhythmForState } from "../lib/sim/ecg-rhythm-for-state";
import { CLINICAL_EPISODE_TYPES, type TEpisodeType } from "../lib/sim/episodes";
import { generateHeartRate, type THeartRateSeries } from "../lib/sim/heart-rate";
import { setup as ensureProductionBuild } from "../test/global-setup";
import { createBenchTarget, migrate, seedWatches, type TBenchDevice } from "./lib/bench-database";
import { createAlertPathCollector } from "./lib/alert-path-report";
import { startBenchServer } from "./lib/bench-server";
import { describeMachine } from "./lib/machine";
import { createLatencyRecorder, formatMs, round, sleep } from "./lib/stats";

const { values: args } = parseArgs({
  options: {
    patients: { type: "string", default: "1000" },
    clinicians: { type: "string", default: "50" },
    "episode-share": { type: "string", default: "0.1" },
    "history-min": { type: "string", default: "12" },
    "live-min": { type: "string", default: "8" },
    db: { type: "string", default: "pglite" },
    seed: { type: "string", default: "bench-alerts" },
    // Writes the server's alert-path traces, long work and event loop windows as JSON, for a closer look.
    "trace-out": { type: "string" },
  },
});
const patientCount = Number(args.patients);
const clinicianCount = Number(args.clinicians);
const episodeShare = Number(args["episode-share"]);
const historyS = Number(args["history-min"]) * 60;
const liveS = Number(args["live-min"]) * 60;
const dbKind = args.db === "postgres" ? "postgres" : "pglite";
const BATCH_S = 10;
/**
 * Episodes start spread over the live phase, from this far in until EPISODE_DURATION_S before its end,
 * as independent patients' episodes would (not all in the same second), and last long enough to confirm.
 */
const EPISODE_START_LIVE_S = 60;
const EPISODE_DURATION_S = 180;

const log = (line: string) => process.stdout.write(`${line}\n`);

type TWatch = {
  device: TBenchDevice;
  socket: Socket;
  series: THeartRateSeries;
  episode: TEpisodeType | null;
  /** Send time of each 10 s batch, by the batch's first sample time. */
  sentAtByBatchMs: Map<number, number>;
  clinicianIndex: number;
};

async function main() {
  log(`bench:alerts on ${JSON.stringify(describeMachine())}`);
  log(`patients ${patientCount}, clinicians ${clinicianCount}, episodes for ${Math.round(patientCount * episodeShare)} patients, database ${dbKind}`);
  ensureProductionBuild();
  const target = await createBenchTarget({ kind: dbKind, serverUrl: parseConfig(process.env).DATABASE_URL });
  let server: Awaited<ReturnType<typeof startBenchServer>> | undefined;
  const alertPaths = createAlertPathCollector();
  let isStopping = false;
  const sockets: Socket[] = [];
  try {
    // Seed with the server stopped (PGlite allows one process), then start the server on it.
    const database = await target.open();
    await migrate(database);
    const devices = await seedWatches({ database, count: patientCount });
    const db = database.prisma;
    const hospitalId = (await db.patient.findUniqueOrThrow({ where: { id: devices[0]!.patientId } })).hospitalId;
    const clinicians: { id: string; cookie: string }[] = [];
    for (let index = 0; index < clinicianCount; index += 1) {
      const user = await db.user.create({
        data: { email: `bench-clinician-${index}-${Date.now()}@bench.invalid`, passwordHash: "scrypt$disabled", role: "CLINICIAN", displayName: `Clinician ${index}`, hospitalId },
      });
      const session = await createSession({ db, userId: user.id, ttlMs: 6 * 3_600_000, now: new Date() });
      clinicians.push({ id: user.id, cookie: `pg_session=${session.token}` });
    }
    await db.careTeamMember.createMany({ data: devices.map((device, index) => ({ patientId: device.patientId, clinicianId: clinicians[index % clinicianCount]!.id, rank: 0 })) });
    await database.close();
    log(`seeded ${devices.length} patients with watches and ${clinicians.length} clinicians (each on ${Math.ceil(patientCount / clinicianCount)} care teams)`);

    // Info level with ALERT_PATH_TRACE: the server logs each alert's stage timestamps (ids and times only).
    server = await startBenchServer({
      dataDir: target.dataDir,
      databaseUrl: target.databaseUrl,
      logLevel: "info",
      env: { SIMULATE: "false", DETECTION: "true", ALERT_PATH_TRACE: "true" },
      onLogEntry: (entry) => alertPaths.onLogEntry(entry),
    });
    log(`server ${server.url} (pid ${server.pid})`);
    const running = server;
    void running.exited.then((code) => {
      if (isStopping) return;
      // A server that dies mid-run would otherwise look like a quiet phase with no acks.
      process.stderr.write(`server exited early (code ${code}); its last output:\n${running.output().split("\n").slice(-40).join("\n")}\n`);
      process.exit(1);
    });

    // Clinicians first: every alert must find its clinician listening.
    const received = new Map<string, { atMs: number; event: TAlertEventView; clinicianIndex: number }>();
    let duplicateDeliveries = 0;
    await Promise.all(
      clinicians.map(
        (clinician, clinicianIndex) =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(server!.url, { transports: ["websocket"], extraHeaders: { cookie: clinician.cookie }, reconnection: false, forceNew: true });
            sockets.push(socket);
            socket.on("alert:event", (event: TAlertEventView) => {
              if (event.type !== "opened") return;
              if (received.has(event.alertId)) duplicateDeliveries += 1;
              else received.set(event.alertId, { atMs: Date.now(), event, clinicianIndex });
            });
            socket.once("connect", () => resolve());
            socket.once("connect_error", reject);
          }),
      ),
    );
    log(`${clinicians.length} clinicians connected`);

    // The watches answer an ECG request at once: strips are recorded ahead (a bank per rhythm, every
    // 10 bpm of its range), so the benchmark measures the server, not this process generating ECGs.
    const bank = new Map<TEcgRhythm, { bpm: number; samplesLe16: Uint8Array; sampleRateHz: number }[]>();
    for (const rhythm of ECG_RHYTHMS) {
      const { minBpm, maxBpm } = ECG_RHYTHM_HEART_RATE_RANGES_BPM[rhythm];
      const strips = [];
      for (let bpm = minBpm; bpm <= maxBpm; bpm += 10) {
        const strip = generateEcgStrip({ seed: `${args.seed}/bank/${rhythm}/${bpm}`, rhythm, heartRateBpm: bpm, durationS: 30, sampleRateHz: 250 });
        strips.push({ bpm, samplesLe16: encodeEcgSamples(strip.samples), sampleRateHz: strip.sampleRateHz });
      }
      bank.set(rhythm, strips);
    }
    const stripFor = (rhythm: TEcgRhythm, bpm: number) =>
      bank.get(rhythm)!.reduce((best, strip) => (Math.abs(strip.bpm - bpm) < Math.abs(best.bpm - bpm) ? strip : best));
    log(`ECG strip bank: ${[...bank.values()].reduce((total, strips) => total + strips.length, 0)} strips over ${ECG_RHYTHMS.length} rhythms`);

    // Every patient's heart rate from history start to the end of the live phase; some with an episode.
    const startMs = Math.floor((Date.now() - historyS * 1000) / (BATCH_S * 1000)) * BATCH_S * 1000;
    const liveStartS = Math.ceil((Date.now() - startMs) / 1000 / BATCH_S) * BATCH_S + 30;
    const totalS = liveStartS + liveS;
    const episodeEvery = episodeShare > 0 ? Math.max(1, Math.round(1 / episodeShare)) : Number.POSITIVE_INFINITY;
    const episodeCount = Math.ceil(patientCount / episodeEvery);
    const episodeSpreadS = Math.max(0, liveS - EPISODE_START_LIVE_S - EPISODE_DURATION_S);
    const watches: TWatch[] = [];
    const strips = { requested: 0, answered: 0 };
    await Promise.all(
      devices.map(async (device, index) => {
        const episode = index % episodeEvery === 0 ? CLINICAL_EPISODE_TYPES[Math.floor(index / episodeEvery) % CLINICAL_EPISODE_TYPES.length]! : null;
        const series = generateHeartRate(
          {
            seed: `${args.seed}/${index}`,
            startEpochMs: startMs,
            restingBpm: 58 + (index % 20),
            episodes: episode
              ? [{ type: episode, startS: liveStartS + EPISODE_START_LIVE_S + Math.round(((index / episodeEvery) * episodeSpreadS) / episodeCount), durationS: EPISODE_DURATION_S }]
              : [],
          },
          totalS,
        );
        const socket = connect(`${server!.url}/device`, { transports: ["websocket"], auth: { token: device.token }, reconnectionDelay: 500, forceNew: true });
        sockets.push(socket);
        const watch: TWatch = { device, socket, series, episode, sentAtByBatchMs: new Map(), clinicianIndex: index % clinicianCount };
        // The simulated watch answers at once with a strip of what its heart is doing at that second.
        socket.on("ecg:request", (request: TEcgRequestMessage) => {
          strips.requested += 1;
          const second = Math.min(totalS - 1, Math.max(0, Math.floor((Date.now() - startMs) / 1000)));
          const { rhythm, heartRateBpm } = getEcgRhythmForState({ truth: series.truth[second] ?? null, bpm: series.bpm[second] ?? 0 });
          const strip = stripFor(rhythm, heartRateBpm);
          void socket
            .timeout(30_000)
            .emitWithAck("ecg:strip", { requestId: request.requestId, recordedAt: new Date().toISOString(), sampleRateHz: strip.sampleRateHz, samplesLe16: strip.samplesLe16 })
            .then(() => (strips.answered += 1))
            .catch(() => undefined);
        });
        await new Promise<void>((resolve, reject) => {
          socket.once("connect", () => resolve());
          socket.once("connect_error", reject);
        });
        watches.push(watch);
      }),
    );
    log(`${watches.length} watches connected; ${watches.filter((watch) => watch.episode).length} will have an episode starting between ${EPISODE_START_LIVE_S} and ${EPISODE_START_LIVE_S + episodeSpreadS} s into the live phase`);

    const ackMs = createLatencyRecorder();
    let rejected = 0;
    const sendBatch = async (watch: TWatch, fromS: number, seconds: number) => {
      const atMs = startMs + fromS * 1000;
      const sentAt = Date.now();
      for (let s = fromS; s < fromS + seconds; s += BATCH_S) watch.sentAtByBatchMs.set(startMs + s * 1000, sentAt);
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const response = (await watch.socket
          .timeout(30_000)
          .emitWithAck("heart-rate:batch", {
            seq: fromS / BATCH_S + 1,
            startedAt: new Date(atMs).toISOString(),
            intervalMs: 1000,
            bpm: watch.series.bpm.slice(fromS, fromS + seconds),
            activity: watch.series.activity.slice(fromS, fromS + seconds),
          })
          .catch(() => ({ ok: false, error: { code: "TIMEOUT" } }))) as { ok: boolean; error?: { code: string; retryAfterS?: number } };
        if (response.ok) {
          ackMs.record(Date.now() - sentAt);
          return;
        }
        if (!["THROTTLED", "UNAVAILABLE", "TIMEOUT", "INTERNAL"].includes(response.error?.code ?? "")) break;
        await sleep((response.error?.retryAfterS ?? 1) * 1000);
      }
      rejected += 1;
    };

    // History: the screen learns each patient's baseline. Sent in 60 s batches, as fast as acknowledged.
    const historyStartedAt = Date.now();
    const historyEndS = liveStartS;
    await Promise.all(
      watches.map(async (watch) => {
        for (let fromS = 0; fromS < historyEndS; fromS += 60) await sendBatch(watch, fromS, Math.min(60, historyEndS - fromS));
      }),
    );
    log(`history: ${Math.round(historyEndS / 60)} min per watch sent in ${((Date.now() - historyStartedAt) / 1000).toFixed(1)} s`);
    const historyAcks = ackMs.count();

    // Live: each 10 s batch is sent once its last second has passed, as a watch would.
    const liveBatches = liveS / BATCH_S;
    log(`live phase: ${liveS} s of 1 Hz streaming from ${watches.length} watches`);
    for (let batch = 0; batch < liveBatches; batch += 1) {
      const fromS = liveStartS + batch * BATCH_S;
      const dueAt = startMs + (fromS + BATCH_S) * 1000;
      if (dueAt > Date.now()) await sleep(dueAt - Date.now());
      // Spread the sends over the batch interval, as independent watches would.
      watches.forEach((watch, index) => setTimeout(() => void sendBatch(watch, fromS, BATCH_S), (index / watches.length) * BATCH_S * 1000 * 0.8));
      if ((batch + 1) % 6 === 0) {
        const ack = ackMs.summarize(historyAcks);
        log(`  [live ${((batch + 1) * BATCH_S).toString().padStart(4)} s] alerts received ${received.size} | ECG strips asked ${strips.requested} answered ${strips.answered} | batch ack p50 ${formatMs(ack.p50Ms)} p99 ${formatMs(ack.p99Ms)}`);
      }
    }
    // Let the last escalations (strip, classification, push) finish.
    await sleep(20_000);
    alertPaths.setLivePhase(startMs + liveStartS * 1000, Date.now());

    // What the database holds, read after the server stops (PGlite belongs to the server while it runs).
    isStopping = true;
    await server.stop();
    server = undefined;
    for (const socket of sockets) socket.close();
    const check = await target.open();
    const written = await check.prisma.alert.findMany({ select: { id: true, patientId: true, condition: true, source: true, evidence: true } });
    await check.close();

    const watchByPatient = new Map(watches.map((watch) => [watch.device.patientId, watch]));
    const latency = createLatencyRecorder();
    const traced: { alertId: string; sentAtMs: number; receivedAtMs: number }[] = [];
    let lost = 0;
    let wrongClinician = 0;
    for (const alert of written) {
      const delivery = received.get(alert.id.toString());
      const watch = watchByPatient.get(alert.patientId);
      if (!delivery || !watch) {
        lost += 1;
        continue;
      }
      if (delivery.clinicianIndex !== watch.clinicianIndex) wrongClinician += 1;
      const tier1AtMs = (alert.evidence as { tier1?: { atMs?: number } }).tier1?.atMs;
      if (typeof tier1AtMs !== "number") continue;
      const batchStartMs = Math.floor((tier1AtMs - startMs) / 1000 / BATCH_S) * BATCH_S * 1000 + startMs;
      const sentAt = watch.sentAtByBatchMs.get(batchStartMs);
      if (sentAt === undefined) continue;
      latency.record(delivery.atMs - sentAt);
      traced.push({ alertId: alert.id.toString(), sentAtMs: sentAt, receivedAtMs: delivery.atMs });
    }
    const summary = latency.summarize();
    const ack = ackMs.summarize(historyAcks);
    const withEpisode = watches.filter((watch) => watch.episode);
    const alerted = new Set(written.map((alert) => alert.patientId));
    const bySource = Object.fromEntries(["ECG_CONFIRMED", "UNCONFIRMED_NO_ECG", "WATCH_SCREEN"].map((source) => [source, written.filter((alert) => alert.source === source).length]));

    log("");
    log("alerts");
    log(`  written ${written.length} (${Object.entries(bySource).map(([source, count]) => `${source} ${count}`).join(", ")}), received ${received.size}, lost ${lost}, to a wrong clinician ${wrongClinician}, delivered twice ${duplicateDeliveries}`);
    log(`  patients with an injected episode: ${withEpisode.length}, of whom alerted ${withEpisode.filter((watch) => alerted.has(watch.device.patientId)).length}; alerted without an episode ${[...alerted].filter((id) => !watchByPatient.get(id)?.episode).length}`);
    log(`  latency batch sent -> clinician received: p50 ${formatMs(summary.p50Ms)} p90 ${formatMs(summary.p90Ms)} p99 ${formatMs(summary.p99Ms)} max ${formatMs(summary.maxMs)} (n=${summary.count})`);
    log(`  baseline in the same run, heart-rate batch ack (live phase): p50 ${formatMs(ack.p50Ms)} p99 ${formatMs(ack.p99Ms)}; alert p50 / ack p50 = ${round(summary.p50Ms / ack.p50Ms, 2)}`);
    log(`  ECG strips asked ${strips.requested}, answered ${strips.answered}; batches given up ${rejected}`);
    log("");
    alertPaths.stop();
    for (const line of alertPaths.report(traced)) log(line);
    if (args["trace-out"]) writeFileSync(args["trace-out"], JSON.stringify({ ...alertPaths.dump(), alerts: traced }));
    log(
      `RESULT ${JSON.stringify({
        bench: "alerts",
        db: dbKind,
        patients: watches.length,
        clinicians: clinicians.length,
        alerts: written.length,
        latencyP50Ms: round(summary.p50Ms),
        latencyP99Ms: round(summary.p99Ms),
        lost,
        baselineAckP50Ms: round(ack.p50Ms),
      })}`,
    );
  } finally {
    isStopping = true;
    alertPaths.stop();
    for (const socket of sockets) socket.close();
    await server?.stop();
    await target.destroy();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:alerts failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
