// Server-only. The detection cascade at ingest: every stored heart-rate sample goes through the
// patient's watch screen (tier 1); the cascade policy decides when to ask the watch for an ECG strip,
// tier 2 classifies the strip on the worker pool, and confirmed or timed-out events become alerts.
//
// The ECG request is written to the database before the watch is asked, and a sweep turns requests
// whose watch never answered into unconfirmed alerts, so a restart between the hit and the answer
// drops nothing. Per-patient screen state lives in memory on the instance that receives the patient's
// batches (a watch's socket stays on one instance); after a restart the baseline is learned again.
import { randomUUID } from "node:crypto";
import type { TAlertChange, TAlertPublisher } from "../../alerts/alert-change";
import { startAlertPathTrace, startEventLoopDelayReport, traceAlertPathActivity, type TAlertPathTrace } from "../../alerts/alert-path-trace";
import type { TEscalationPolicy } from "../../alerts/escalation-policy";
import { raiseAlert } from "../../alerts/raise-alert";
import type { TDeviceActor } from "../../auth/actor";
import type { TDb } from "../../db/create-prisma-client";
import { AppError } from "../../errors/app-error";
import type { TIngestItem, TStoredGroupTiming } from "../../ingest/create-ingest-writer";
import { getLogger } from "../../log/logger";
import { decodeEcgSamples } from "../../sim/ecg-samples";
import { createCascadePolicy, type TCascadeAction, type TCascadeAlert, type TCascadePolicy, type TTier1Evidence } from "../cascade/create-cascade-policy";
import { ZCascadeConfigSchema, type TCascadeConfigInput } from "../cascade/cascade-config";
import { ECG_LABEL_CONDITION, type TEcgClassification, type TEcgClassifier } from "../cascade/ecg-classification";
import { suggestSeverity } from "../cascade/suggest-severity";
import { createWatchScreen, type TWatchScreen } from "../screen/create-watch-screen";
import { createScreenModel, type TScreenCondition, type TWatchScreenWeights } from "../screen/screen-model";
import type { TEcgRequestMessage, TEcgStripAck, TEcgStripUpload } from "./ecg-strip-upload";
import { createSampleRing, type TSampleRing } from "./sample-ring";
import { ALERT_CONDITION_FOR_SCREEN } from "./screen-condition-to-alert";

/** Only samples this fresh can trigger a strip: a strip recorded now says nothing about an hour ago. */
const LIVE_WINDOW_MS = 120_000;
/** The heart-rate window kept as alert evidence. */
const EVIDENCE_WINDOW_S = 120;
/** The database deadline trails the in-memory timeout, so the sweep only acts when memory was lost. */
const DEADLINE_GRACE_MS = 30_000;
/** Patients not heard from for this long are dropped from memory (their baseline is relearned). */
const IDLE_EVICT_MS = 6 * 3_600_000;
const STRIP_SAMPLE_RATE_HZ = 250;

export type TDetectionService = {
  /** Subscribed to the ingest writer: runs after each commit. */
  onStored(items: TIngestItem[], timing?: TStoredGroupTiming): void;
  /** A watch's answer to an ECG request: stored first, acknowledged, then classified. */
  acceptStrip(options: { actor: TDeviceActor; upload: TEcgStripUpload }): Promise<TEcgStripAck>;
  /** ECG requests past their database deadline (the instance that asked is gone) become unconfirmed alerts. */
  sweepExpiredRequests(now: Date): Promise<TAlertChange[]>;
  stats(): { patients: number; awaitingEcg: number; stripsRequested: number; stripsClassified: number; alertsRaised: number };
  /** Waits for work in flight (ongoing classifications, alert writes). */
  close(): Promise<void>;
};

type TPatientState = {
  patientId: string;
  deviceId: string;
  screen: TWatchScreen;
  policy: TCascadePolicy;
  /** Last EVIDENCE_WINDOW_S samples. */
  recent: TSampleRing;
  /** Cascade request id <-> EcgRequest row id. */
  requestRows: Map<string, string>;
  lastStrip: { requestRowId: string; stripId: string } | null;
  lastSeenMs: number;
  /**
   * Time of the newest sample screened. The screen reads a patient's stream in time order; a batch older
   * than what it has seen (an offline buffer drained after live data, which the ingest writer lets pass
   * first) is stored but not screened again out of order.
   */
  lastScreenedAtMs: number;
  chain: Promise<void>;
};

export type TDetectionServiceOptions = {
  db: TDb;
  screenWeights: TWatchScreenWeights;
  screenModelVersion: string;
  cascadeConfig?: TCascadeConfigInput;
  classifier: TEcgClassifier;
  requestStrip(deviceId: string, message: TEcgRequestMessage): void;
  alerts: TAlertPublisher;
  escalation: TEscalationPolicy;
  nowMs?: () => number;
  tickIntervalMs?: number;
};

export function createDetectionService(options: TDetectionServiceOptions): TDetectionService {
  const { db, alerts, escalation } = options;
  const log = getLogger().child({ component: "detection" });
  const config = ZCascadeConfigSchema.parse(options.cascadeConfig ?? {});
  // One model for every patient's screen (same weights; each screen keeps its own state).
  const screenModel = createScreenModel(options.screenWeights);
  const nowMs = options.nowMs ?? Date.now;
  const clock = { nowMs };
  const patients = new Map<string, TPatientState>();
  const inFlight = new Set<Promise<unknown>>();
  const counters = { stripsRequested: 0, stripsClassified: 0, alertsRaised: 0 };
  // Only filled when ALERT_PATH_TRACE is on: by cascade request id until the row exists, then by row id.
  const traces = new Map<string, TAlertPathTrace>();
  const stopEventLoopReport = startEventLoopDelayReport();

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };

  function getState(patientId: string, deviceId: string): TPatientState {
    let state = patients.get(patientId);
    if (!state) {
      state = {
        patientId,
        deviceId,
        screen: createWatchScreen({ model: screenModel }),
        policy: createCascadePolicy({ config: options.cascadeConfig, clock, requestIdPrefix: patientId }),
        recent: createSampleRing(EVIDENCE_WINDOW_S),
        lastScreenedAtMs: Number.NEGATIVE_INFINITY,
        requestRows: new Map(),
        lastStrip: null,
        lastSeenMs: nowMs(),
        chain: Promise.resolve(),
      };
      patients.set(patientId, state);
    }
    state.deviceId = deviceId;
    state.lastSeenMs = nowMs();
    return state;
  }

  /** Actions of one patient run in order (a request row exists before its alert looks for it). */
  function enqueue(state: TPatientState, actions: TCascadeAction[]) {
    if (actions.length === 0) return;
    state.chain = track(
      state.chain.then(async () => {
        for (const action of actions) {
          try {
            await carryOut(state, action);
          } catch (error) {
            log.error({ patientId: state.patientId, action: action.type, errorName: (error as Error).name }, "detection action failed");
          }
        }
      }),
    );
  }

  function dropTraces(state: TPatientState) {
    if (traces.size === 0) return;
    for (const rowId of state.requestRows.values()) traces.delete(rowId);
  }

  function heartRateEvidence(state: TPatientState) {
    const { firstAtMs, bpm, activity } = state.recent.read();
    return { startedAt: firstAtMs === null ? null : new Date(firstAtMs).toISOString(), intervalMs: 1000, bpm, activity };
  }

  async function raiseFromCascade(state: TPatientState, alert: TCascadeAlert, extra: Record<string, unknown>, trace?: TAlertPathTrace) {
    trace?.mark("raiseStarted");
    const raised = await raiseAlert({
      db,
      escalation,
      trace,
      input: {
        patientId: state.patientId,
        condition: ALERT_CONDITION_FOR_SCREEN[alert.condition],
        severity: alert.severity,
        source: alert.source,
        at: new Date(alert.atMs),
        evidence: {
          confidence: alert.confidence,
          tier1: alert.tier1,
          ...(alert.ecg ? { ecg: alert.ecg } : {}),
          ...(alert.unconfirmedReason ? { unconfirmedReason: alert.unconfirmedReason } : {}),
          stripRequests: alert.stripRequests,
          screenModelVersion: options.screenModelVersion,
          heartRate: heartRateEvidence(state),
          ...extra,
        },
      },
    });
    if (!raised) return;
    counters.alertsRaised += raised.isNew ? 1 : 0;
    if (!raised.shouldNotify) return;
    await alerts.publish([raised], { trace });
    trace?.finish({ alertId: raised.alert.id.toString(), requestId: typeof extra.requestId === "string" ? extra.requestId : undefined, isNew: raised.isNew });
  }

  async function carryOut(state: TPatientState, action: TCascadeAction) {
    switch (action.type) {
      case "request_ecg": {
        const trace = traces.get(action.requestId);
        traces.delete(action.requestId);
        trace?.mark("requestInsertStarted");
        const requestedAt = new Date(action.atMs);
        const row = await db.ecgRequest.create({
          data: {
            id: randomUUID(),
            patientId: state.patientId,
            deviceId: state.deviceId,
            condition: ALERT_CONDITION_FOR_SCREEN[action.tier1.suspected],
            requestedAt,
            deadlineAt: new Date(action.atMs + config.responseTimeoutMs + DEADLINE_GRACE_MS),
            evidence: { tier1: action.tier1, attempt: action.attempt, screenModelVersion: options.screenModelVersion, heartRate: heartRateEvidence(state) } as object,
          },
          select: { id: true },
        });
        state.requestRows.set(action.requestId, row.id);
        counters.stripsRequested += 1;
        trace?.mark("requestStored");
        options.requestStrip(state.deviceId, { requestId: row.id, durationS: action.durationMs / 1000, sampleRateHz: STRIP_SAMPLE_RATE_HZ });
        if (trace) {
          trace.mark("ecgRequested");
          traces.set(row.id, trace);
        }
        log.debug({ patientId: state.patientId, requestId: row.id, attempt: action.attempt }, "ECG strip requested");
        return;
      }
      case "alert": {
        const { alert } = action;
        if (alert.source === "UNCONFIRMED_NO_ECG") {
          // The watch did not answer (or every strip was unreadable): close the open request first.
          // If the database sweep already closed it (and raised), this instance must not raise again.
          const open = [...state.requestRows.values()];
          const { count } = await db.ecgRequest.updateMany({ where: { id: { in: open }, status: "PENDING" }, data: { status: "TIMED_OUT" } });
          dropTraces(state);
          state.requestRows.clear();
          if (alert.unconfirmedReason === "timeout" && count === 0 && open.length > 0) return;
          await raiseFromCascade(state, alert, {});
          return;
        }
        const strip = state.lastStrip;
        const trace = strip ? traces.get(strip.requestRowId) : undefined;
        dropTraces(state);
        state.requestRows.clear();
        trace?.mark("alertActionStarted");
        await raiseFromCascade(state, alert, strip ? { stripId: strip.stripId, requestId: strip.requestRowId } : {}, trace);
        return;
      }
      case "refuted":
        dropTraces(state);
        state.requestRows.clear();
        log.debug({ patientId: state.patientId, reason: action.reason }, "tier-1 hit refuted by ECG");
        return;
      case "folded":
        return;
    }
  }

  async function classifyStrip(options_: { requestRowId: string; stripId: string; samplesLe16: Uint8Array; sampleRateHz: number; patientId: string }) {
    const trace = traces.get(options_.requestRowId);
    const queuedAtMs = Date.now();
    trace?.mark("classifyQueued", queuedAtMs);
    let classification: TEcgClassification;
    try {
      classification = await options.classifier.classify({ samples: decodeEcgSamples(options_.samplesLe16), sampleRateHz: options_.sampleRateHz });
    } catch (error) {
      // No classification: the request stays pending and times out into an unconfirmed alert.
      log.error({ requestId: options_.requestRowId, errorName: (error as Error).name }, "ECG classification failed");
      return;
    }
    counters.stripsClassified += 1;
    trace?.mark("classifyDone");
    traceAlertPathActivity("ecg-classification", queuedAtMs);
    // The result is kept whatever the request's state; only a pending request becomes ANSWERED (one that
    // timed out meanwhile stays TIMED_OUT, and its strip confirms late). One statement, one round trip.
    const answered = await db.$queryRawUnsafe<{ wasPending: boolean }[]>(
      `WITH before AS (SELECT id, status FROM "EcgRequest" WHERE id = $1::uuid FOR UPDATE)
       UPDATE "EcgRequest" r
       SET result = $2::jsonb, "stripId" = $3::uuid, "answeredAt" = now(),
           status = CASE WHEN before.status = 'PENDING' THEN 'ANSWERED'::"EcgRequestStatus" ELSE r.status END
       FROM before WHERE r.id = before.id
       RETURNING before.status = 'PENDING' AS "wasPending"`,
      options_.requestRowId,
      JSON.stringify(classification),
      options_.stripId,
    );
    trace?.mark("requestAnswered");
    const state = patients.get(options_.patientId);
    const cascadeRequestId = state && [...state.requestRows].find(([, rowId]) => rowId === options_.requestRowId)?.[0];
    if (state && cascadeRequestId && answered[0]?.wasPending === true) {
      state.lastStrip = { requestRowId: options_.requestRowId, stripId: options_.stripId };
      enqueue(state, state.policy.onEcgResult({ requestId: cascadeRequestId, classification }));
      return;
    }
    await confirmLateStrip({ requestRowId: options_.requestRowId, stripId: options_.stripId, classification });
  }

  /**
   * A strip that arrives after its request timed out (or after a restart lost the cascade's memory) can
   * still confirm: the open unconfirmed alert is upgraded, since the ECG is the stronger evidence.
   */
  async function confirmLateStrip(input: { requestRowId: string; stripId: string; classification: TEcgClassification }) {
    const request = await db.ecgRequest.findUnique({ where: { id: input.requestRowId } });
    if (!request) return;
    const condition = ECG_LABEL_CONDITION[input.classification.label];
    const probability = input.classification.confidence;
    if (!condition || ALERT_CONDITION_FOR_SCREEN[condition] !== request.condition || probability < config.confirmProbability) return;
    const tier1 = (request.evidence as { tier1?: TTier1Evidence }).tier1;
    const raised = await raiseAlert({
      db,
      escalation,
      input: {
        patientId: request.patientId,
        condition: request.condition as never,
        severity: suggestSeverity({ condition, levelBpm: tier1?.levelBpm ?? 0, isConfirmed: true }),
        source: "ECG_CONFIRMED",
        evidence: { ...(request.evidence as object), confidence: probability, ecg: input.classification, stripId: input.stripId, requestId: request.id, late: true },
      },
    });
    if (raised?.shouldNotify) await alerts.publish([raised]);
  }

  const ticker = setInterval(() => {
    const now = nowMs();
    for (const state of patients.values()) {
      if (now - state.lastSeenMs > IDLE_EVICT_MS && state.policy.getPhase() !== "awaiting_ecg") {
        patients.delete(state.patientId);
        continue;
      }
      enqueue(state, state.policy.onTick());
    }
  }, options.tickIntervalMs ?? 1_000);
  ticker.unref();

  return {
    onStored(items, timing) {
      const liveFromMs = nowMs() - LIVE_WINDOW_MS;
      for (const item of items) {
        if (item.kind !== "heart-rate") continue;
        const state = getState(item.patientId, item.deviceId);
        const actions: TCascadeAction[] = [];
        for (let index = 0; index < item.bpm.length; index += 1) {
          const atMs = item.startedAtMs + index * item.intervalMs;
          if (atMs <= state.lastScreenedAtMs) continue;
          const sample = { atMs, bpm: item.bpm[index] ?? 0, activity: item.activity[index] ?? 0 };
          state.lastScreenedAtMs = atMs;
          state.recent.push(atMs, sample.bpm, sample.activity);
          // History only teaches the screen the patient's baseline: scoring it would be thrown away.
          if (sample.atMs < liveFromMs) {
            state.screen.observe(sample);
            continue;
          }
          const result = state.screen.push(sample);
          if (result) actions.push(...state.policy.onScreenResult(result));
        }
        for (const action of actions) {
          if (action.type !== "request_ecg") continue;
          const trace = startAlertPathTrace({
            batchReceived: item.receivedAtMs,
            flushStarted: timing?.flushStartedAtMs,
            ingestCommitted: timing?.committedAtMs,
            screened: Date.now(),
          });
          if (trace) traces.set(action.requestId, trace);
        }
        enqueue(state, actions);
      }
    },

    async acceptStrip({ actor, upload }) {
      const receivedAtMs = Date.now();
      // One round trip: find this watch's request, store the strip unless one already answers it, and
      // read the strip that does (three queries before; each waited its turn when the server was busy).
      const rows = await db.$queryRawUnsafe<{ requestId: string; patientId: string; insertedId: string | null; existingId: string | null }[]>(
        `WITH request AS (SELECT id, "patientId" FROM "EcgRequest" WHERE id = $1::uuid AND "deviceId" = $2::uuid),
         inserted AS (
           INSERT INTO "EcgStrip" (id, "patientId", "deviceId", "recordedAt", "sampleRateHz", samples, "requestId")
           SELECT $3::uuid, request."patientId", $2::uuid, $4::timestamptz, $5::int, $6::bytea, request.id::text FROM request
           ON CONFLICT ("requestId") DO NOTHING
           RETURNING id)
         SELECT request.id::text AS "requestId", request."patientId"::text AS "patientId",
                (SELECT id::text FROM inserted) AS "insertedId",
                (SELECT s.id::text FROM "EcgStrip" s WHERE s."requestId" = request.id::text) AS "existingId"
         FROM request`,
        upload.requestId,
        actor.deviceId,
        randomUUID(),
        new Date(upload.recordedAt).toISOString(),
        upload.sampleRateHz,
        Buffer.from(upload.samplesLe16.buffer, upload.samplesLe16.byteOffset, upload.samplesLe16.byteLength),
      );
      const trace = traces.get(upload.requestId);
      trace?.mark("stripReceived", receivedAtMs);
      const request = rows[0] ? { id: rows[0].requestId, patientId: rows[0].patientId } : undefined;
      if (!request) throw new AppError("NOT_FOUND", { message: "No such ECG request for this device" });
      if (!rows[0]!.insertedId) {
        // Stored before: by an earlier delivery (seen by this statement) or by one that raced it (read now).
        const stored = rows[0]!.existingId ?? (await db.ecgStrip.findUniqueOrThrow({ where: { requestId: request.id }, select: { id: true } })).id;
        return { requestId: request.id, stripId: stored, status: "duplicate" };
      }
      const stripId = rows[0]!.insertedId;
      trace?.mark("stripStored");
      // Stored and about to be acknowledged: classification follows, off the event loop.
      setImmediate(() => {
        void track(classifyStrip({ requestRowId: request.id, stripId, samplesLe16: upload.samplesLe16, sampleRateHz: upload.sampleRateHz, patientId: request.patientId }));
      });
      return { requestId: request.id, stripId, status: "stored" };
    },

    async sweepExpiredRequests(now) {
      const expired = await db.$queryRaw<{ id: string; patientId: string; condition: string; evidence: { tier1?: TTier1Evidence } }[]>`
        UPDATE "EcgRequest" SET status = 'TIMED_OUT'
        WHERE id IN (
          SELECT id FROM "EcgRequest" WHERE status = 'PENDING' AND "deadlineAt" <= ${now}
          ORDER BY "deadlineAt" LIMIT 100 FOR UPDATE SKIP LOCKED
        )
        RETURNING id, "patientId", condition, evidence`;
      const changes: TAlertChange[] = [];
      for (const request of expired) {
        const tier1 = request.evidence.tier1;
        const screenCondition = tier1?.suspected ?? (Object.keys(ALERT_CONDITION_FOR_SCREEN) as TScreenCondition[]).find((key) => ALERT_CONDITION_FOR_SCREEN[key] === request.condition);
        if (!screenCondition) continue;
        const raised = await raiseAlert({
          db,
          escalation,
          input: {
            patientId: request.patientId,
            condition: ALERT_CONDITION_FOR_SCREEN[screenCondition],
            severity: suggestSeverity({ condition: screenCondition, levelBpm: tier1?.levelBpm ?? 0, isConfirmed: false }),
            source: "UNCONFIRMED_NO_ECG",
            at: now,
            evidence: { ...request.evidence, confidence: (tier1?.score ?? 0) * config.unconfirmedConfidenceFactor, unconfirmedReason: "timeout", requestId: request.id },
          },
        });
        if (raised?.shouldNotify) changes.push(raised);
      }
      return changes;
    },

    stats() {
      let awaitingEcg = 0;
      for (const state of patients.values()) if (state.policy.getPhase() === "awaiting_ecg") awaitingEcg += 1;
      return { patients: patients.size, awaitingEcg, ...counters };
    },

    async close() {
      clearInterval(ticker);
      stopEventLoopReport();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
