// The escalation loop through the real device API: heart rate stored over the watch's socket goes
// through the watch screen; a hit asks that watch for an ECG strip over the same socket; the strip is
// stored, classified by the committed ECG model, and the confirmed event reaches the care team. A watch
// that never answers still produces an (unconfirmed) alert, also after a restart.
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEscalationPolicy, type TAlertEventView } from "@/lib/alerts";
import { ALERT_PATH_STAGES, configureAlertPathTrace } from "@/lib/alerts/alert-path-trace";
import type { TDatabase } from "@/lib/db/open-database";
import { loadEcgClassifier } from "@/lib/detect/ecg";
import type { TEcgClassifier } from "@/lib/detect/cascade/ecg-classification";
import { loadWatchScreenModel, type TWatchScreenModel } from "@/lib/detect/screen/load-watch-screen-model";
import { createDetectionService } from "@/lib/detect/service/create-detection-service";
import type { TEcgRequestMessage } from "@/lib/detect/service/ecg-strip-upload";
import { encodeEcgSamples, generateEcgStrip, type TEcgRhythm } from "@/lib/sim/ecg";
import type { TEpisodeType } from "@/lib/sim/episodes";
import { generateHeartRate } from "@/lib/sim/heart-rate";
import { createWorld } from "../helpers/factories";
import { connectClient, connectSignedIn, startTestRealtime, type TTestRealtime } from "../helpers/realtime";
import { createTestDatabase } from "../helpers/test-database";

const RESPONSE_TIMEOUT_MS = 3_000;
const escalation = createEscalationPolicy([120, 180]);

let database: TDatabase;
let server: TTestRealtime;
let classifier: TEcgClassifier;
let screenModel: TWatchScreenModel;
const sockets: Socket[] = [];
const db = () => database.prisma;

beforeAll(async () => {
  database = await createTestDatabase();
  [classifier, screenModel] = await Promise.all([loadEcgClassifier(), loadWatchScreenModel()]);
  server = await startTestRealtime({
    db: db(),
    withIngest: database,
    createDetection: ({ requestStrip, alerts }) =>
      createDetectionService({
        db: db(),
        screenWeights: screenModel.weights,
        screenModelVersion: screenModel.manifest.version,
        cascadeConfig: { escalateScore: screenModel.manifest.thresholds.escalate, persistenceHits: screenModel.manifest.thresholds.persistenceHits, responseTimeoutMs: RESPONSE_TIMEOUT_MS },
        classifier,
        requestStrip,
        alerts,
        escalation,
        tickIntervalMs: 200,
      }),
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server.close();
  await classifier.close();
  await database.close();
});

async function waitFor<T>(read: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A new patient's watch and care-team clinician, both connected; the alert events the clinician receives. */
async function connectPatient() {
  const { home } = await createWorld(db());
  const clinician = await connectSignedIn(server.url, db(), home.clinician.id);
  const watch = await connectClient(server.url, { namespace: "/device", token: home.deviceToken });
  sockets.push(clinician, watch);
  const alerts: TAlertEventView[] = [];
  clinician.on("alert:event", (event: TAlertEventView) => alerts.push(event));
  return { home, watch, alerts };
}

/** A patient whose last minutes end in `episode`, streamed over the watch's socket up to now. */
async function streamEpisode(options: { episode: TEpisodeType; seed: string; answerWith: TEcgRhythm | null }) {
  const { home, watch, alerts } = await connectPatient();
  const requests: TEcgRequestMessage[] = [];
  const stripAcks: unknown[] = [];
  watch.on("ecg:request", (request: TEcgRequestMessage) => {
    requests.push(request);
    if (!options.answerWith) return;
    const strip = generateEcgStrip({ seed: `${options.seed}:${request.requestId}`, rhythm: options.answerWith, durationS: request.durationS, sampleRateHz: request.sampleRateHz });
    void watch
      .emitWithAck("ecg:strip", { requestId: request.requestId, recordedAt: new Date().toISOString(), sampleRateHz: strip.sampleRateHz, samplesLe16: encodeEcgSamples(strip.samples) })
      .then((ack: unknown) => stripAcks.push(ack));
  });

  // 14 minutes at rest (the screen learns this patient's baseline), then 4 minutes of the episode, ending now.
  const totalS = 18 * 60;
  const startMs = Math.floor(Date.now() / 1000) * 1000 - totalS * 1000;
  const series = generateHeartRate(
    { seed: options.seed, startEpochMs: startMs, restingBpm: 64, episodes: [{ type: options.episode, startS: 14 * 60, durationS: 4 * 60 }], gapRatePerHour: 0, artifactRatePerHour: 0, activityPlan: { boutsPerWakingHour: 0 } },
    totalS,
  );
  for (let offsetS = 0; offsetS < totalS; offsetS += 60) {
    const ack = (await watch.emitWithAck("heart-rate:batch", {
      seq: offsetS / 60 + 1,
      startedAt: new Date(startMs + offsetS * 1000).toISOString(),
      intervalMs: 1000,
      bpm: series.bpm.slice(offsetS, offsetS + 60),
      activity: series.activity.slice(offsetS, offsetS + 60),
    })) as { ok: boolean };
    expect(ack.ok).toBe(true);
  }
  return { home, watch, alerts, requests, stripAcks };
}

describe("escalation loop", () => {
  it("asks the watch for a strip, classifies it, and pushes the confirmed alert to the care team", async () => {
    const run = await streamEpisode({ episode: "afib", seed: "loop-afib", answerWith: "atrial_fibrillation" });
    const opened = await waitFor(() => run.alerts.find((event) => event.type === "opened"));
    expect(run.requests.length).toBeGreaterThanOrEqual(1);
    expect(run.stripAcks[0]).toMatchObject({ ok: true, data: { status: "stored" } });
    expect(opened.alert).toMatchObject({ condition: "atrial_fibrillation", source: "ECG_CONFIRMED", severity: "CRITICAL", patientId: run.home.patient.id });
    const evidence = opened.alert.evidence as { stripId: string; ecg: { label: string; modelVersion: string }; tier1: { score: number }; heartRate: { bpm: number[] } };
    expect(evidence.ecg.label).toBe("atrial_fibrillation");
    expect(evidence.tier1.score).toBeGreaterThan(0);
    expect(evidence.heartRate.bpm.length).toBeGreaterThan(60);
    const strip = await db().ecgStrip.findUniqueOrThrow({ where: { id: evidence.stripId } });
    expect(strip).toMatchObject({ patientId: run.home.patient.id, deviceId: run.home.device.id, sampleRateHz: 250 });
    const request = await db().ecgRequest.findUniqueOrThrow({ where: { id: run.requests[0]!.requestId } });
    expect(request).toMatchObject({ status: "ANSWERED", stripId: strip.id });

    // Re-sending the same strip is a retry: acknowledged again, stored once.
    const again = (await run.watch.emitWithAck("ecg:strip", {
      requestId: request.id,
      recordedAt: new Date().toISOString(),
      sampleRateHz: 250,
      samplesLe16: new Uint8Array(250 * 30 * 2),
    })) as { ok: boolean; data: { status: string; stripId: string } };
    expect(again).toMatchObject({ ok: true, data: { status: "duplicate", stripId: strip.id } });
    expect(await db().ecgStrip.count({ where: { requestId: request.id } })).toBe(1);
  });

  it("with ALERT_PATH_TRACE, logs each stage of a confirmed alert's path in order, with ids and times only", async () => {
    const lines: { msg: string; fields: Record<string, unknown> }[] = [];
    configureAlertPathTrace({ enabled: true, sink: (fields, msg) => lines.push({ msg, fields }) });
    try {
      const run = await streamEpisode({ episode: "afib", seed: "loop-trace", answerWith: "atrial_fibrillation" });
      const opened = await waitFor(() => run.alerts.find((event) => event.type === "opened"));
      const path = await waitFor(() => lines.find((line) => line.msg === "alert path" && line.fields.alertId === opened.alertId));
      expect(path.fields).toMatchObject({ requestId: run.requests.at(-1)!.requestId, isNew: true });
      const stages = path.fields.stages as Record<string, number>;
      expect(Object.keys(stages).sort()).toEqual([...ALERT_PATH_STAGES].sort());
      const times = ALERT_PATH_STAGES.map((stage) => stages[stage]!);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(lines.some((line) => line.msg === "alert path activity" && line.fields.activity === "ecg-classification")).toBe(true);
      // Nothing from the patient's data: no readings, no evidence.
      expect(JSON.stringify(lines)).not.toMatch(/bpm|evidence|samples/);
    } finally {
      configureAlertPathTrace({});
    }
  });

  it("raises an unconfirmed alert with the screen's evidence when the watch does not answer", async () => {
    const run = await streamEpisode({ episode: "tachycardia_rest", seed: "loop-silent", answerWith: null });
    const opened = await waitFor(() => run.alerts.find((event) => event.type === "opened"), RESPONSE_TIMEOUT_MS + 20_000);
    expect(run.requests.length).toBeGreaterThanOrEqual(1);
    expect(opened.alert).toMatchObject({ condition: "tachycardia", source: "UNCONFIRMED_NO_ECG" });
    expect(opened.alert.evidence).toMatchObject({ unconfirmedReason: "timeout" });
    expect(await db().ecgRequest.findUniqueOrThrow({ where: { id: run.requests[0]!.requestId } })).toMatchObject({ status: "TIMED_OUT" });
  });

  it("keeps a strip that arrives after its request timed out, leaves the request TIMED_OUT, and confirms from it late", async () => {
    const { home, watch, alerts } = await connectPatient();
    const tier1 = { atMs: Date.now() - 90_000, score: 0.9, suspected: "afib", levelBpm: 130, baselineBpm: 64, activityLevel: 0 };
    const request = await db().ecgRequest.create({
      data: { patientId: home.patient.id, deviceId: home.device.id, condition: "atrial_fibrillation", status: "TIMED_OUT", deadlineAt: new Date(Date.now() - 1_000), evidence: { tier1 } },
    });
    const strip = generateEcgStrip({ seed: "late-strip", rhythm: "atrial_fibrillation", durationS: 30, sampleRateHz: 250 });
    const ack = (await watch.emitWithAck("ecg:strip", { requestId: request.id, recordedAt: new Date().toISOString(), sampleRateHz: 250, samplesLe16: encodeEcgSamples(strip.samples) })) as {
      ok: boolean;
      data: { stripId: string };
    };
    expect(ack).toMatchObject({ ok: true, data: { status: "stored" } });
    const opened = await waitFor(() => alerts.find((event) => event.type === "opened" && event.alert.patientId === home.patient.id));
    expect(opened.alert).toMatchObject({ condition: "atrial_fibrillation", source: "ECG_CONFIRMED" });
    expect(opened.alert.evidence).toMatchObject({ late: true, stripId: ack.data.stripId, requestId: request.id });
    expect(await db().ecgRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({ status: "TIMED_OUT", stripId: ack.data.stripId, result: { label: "atrial_fibrillation" } });
  });

  it("refuses strips that answer no request of this watch, or are malformed, and stores nothing", async () => {
    const { home } = await createWorld(db());
    const watch = await connectClient(server.url, { namespace: "/device", token: home.deviceToken });
    sockets.push(watch);
    const good = { recordedAt: new Date().toISOString(), sampleRateHz: 250, samplesLe16: new Uint8Array(250 * 30 * 2) };
    const request = await db().ecgRequest.create({
      data: { patientId: home.patient.id, deviceId: home.device.id, condition: "tachycardia", deadlineAt: new Date(Date.now() + 60_000) },
    });
    const before = await db().ecgStrip.count();
    const send = (payload: unknown) => watch.emitWithAck("ecg:strip", payload) as Promise<{ ok: boolean; error?: { code: string; fields?: { path: string }[] } }>;
    expect(await send({ ...good, requestId: crypto.randomUUID() })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    // Another watch's request is no request of this one.
    const other = await createWorld(db());
    const theirs = await db().ecgRequest.create({
      data: { patientId: other.home.patient.id, deviceId: other.home.device.id, condition: "tachycardia", deadlineAt: new Date(Date.now() + 60_000) },
    });
    expect(await send({ ...good, requestId: theirs.id })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(await send({ ...good, requestId: request.id, samplesLe16: new Uint8Array(101) })).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED", fields: [{ path: "samplesLe16" }] } });
    expect(await send({ ...good, requestId: request.id, samplesLe16: new Uint8Array(250 * 2) })).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
    expect(await send({ ...good, requestId: request.id, sampleRateHz: 5 })).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
    expect(await send({ ...good, requestId: request.id, samplesLe16: "AAAA" })).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
    expect(await db().ecgStrip.count()).toBe(before);
  });

  it("turns a request left pending by a lost instance into an unconfirmed alert, once", async () => {
    const { home } = await createWorld(db());
    const deadlineAt = new Date(Date.now() - 1_000);
    const tier1 = { atMs: Date.now() - 60_000, score: 0.9, suspected: "bradycardia", levelBpm: 38, baselineBpm: 62, activityLevel: 0 };
    await db().ecgRequest.create({ data: { patientId: home.patient.id, deviceId: home.device.id, condition: "bradycardia", deadlineAt, evidence: { tier1 } } });
    const detection = server.realtime.detection!;
    const [first, second] = await Promise.all([detection.sweepExpiredRequests(new Date()), detection.sweepExpiredRequests(new Date())]);
    const mine = [...first!, ...second!].filter((change) => change.alert.patientId === home.patient.id);
    expect(mine.map((change) => [change.alert.condition, change.alert.source, change.event.type])).toEqual([["bradycardia", "UNCONFIRMED_NO_ECG", "opened"]]);
    expect(mine[0]!.alert.evidence).toMatchObject({ unconfirmedReason: "timeout", tier1: { levelBpm: 38 } });
  });
});
