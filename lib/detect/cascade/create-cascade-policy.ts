// The cascade policy for one patient, as a state machine driven by three inputs: each tier-1 result,
// each tier-2 answer, and the clock (for the timeout). It owns no I/O: it returns actions (ask the
// watch for a strip, raise an alert) that the server, the simulator or the evaluation carry out, so
// all three run the same decisions. Time comes from the injected clock.
import { ZCascadeConfigSchema, type TCascadeConfig, type TCascadeConfigInput } from "./cascade-config";
import type { TEcgClassification } from "./ecg-classification";
import { judgeEcgResult, type TEcgVerdict } from "./judge-ecg-result";
import { suggestSeverity, type TAlertSeverity } from "./suggest-severity";
import type { TScreenResult } from "../screen/create-watch-screen";
import { SCREEN_CONDITIONS, type TScreenCondition } from "../screen/screen-model";

export type TCascadeClock = { nowMs(): number };

export type TTier1Evidence = {
  atMs: number;
  score: number;
  suspected: TScreenCondition;
  levelBpm: number;
  baselineBpm: number;
  activityLevel: number;
};

export type TCascadeAlert = {
  atMs: number;
  condition: TScreenCondition;
  severity: TAlertSeverity;
  /** Matches the AlertSource enum of the schema. */
  source: "ECG_CONFIRMED" | "UNCONFIRMED_NO_ECG";
  /**
   * 0..1. Confirmed: tier 2's probability of the rhythm it saw (the decisive test). Unconfirmed: the
   * tier-1 score times config.unconfirmedConfidenceFactor. Neither is a calibrated probability of
   * disease; both are what a reader needs to weigh the alert.
   */
  confidence: number;
  /** Why it is unconfirmed: the watch sent no strip in time, or every strip was unreadable/undecided. */
  unconfirmedReason?: "timeout" | "inconclusive" | "other_rhythm";
  tier1: TTier1Evidence;
  ecg?: TEcgClassification;
  /** Confirmed alerts: the screen's mean probability per condition from the hit to the ECG's answer. */
  screenDuringStrip?: Record<TScreenCondition, number>;
  /** Strips asked for about this event. */
  stripRequests: number;
};

export type TCascadeAction =
  | { type: "request_ecg"; requestId: string; atMs: number; attempt: number; durationMs: number; tier1: TTier1Evidence }
  | { type: "alert"; alert: TCascadeAlert }
  | {
      type: "refuted";
      requestId: string;
      atMs: number;
      ecg: TEcgClassification;
      reason: "normal_rhythm" | "rate_explained_by_context";
      screenDuringStrip: Record<TScreenCondition, number>;
    }
  | { type: "folded"; atMs: number; condition: TScreenCondition; source: TCascadeAlert["source"] };

export type TCascadePhase = "watching" | "awaiting_ecg" | "cooldown";

export type TCascadePolicy = {
  onScreenResult(result: TScreenResult | null): TCascadeAction[];
  onEcgResult(input: { requestId: string; classification: TEcgClassification }): TCascadeAction[];
  /** Call periodically (e.g. each second of stream): fires the timeout of an unanswered request. */
  onTick(): TCascadeAction[];
  getPhase(): TCascadePhase;
  readonly config: TCascadeConfig;
};

type TPending = {
  requestId: string;
  requestedAtMs: number;
  attempt: number;
  tier1: TTier1Evidence;
  /** Sums of tier-1 probabilities per condition since the hit, and how many results they hold. */
  screenScoreSums: Record<TScreenCondition, number>;
  screenResults: number;
};

function toEvidence(result: TScreenResult): TTier1Evidence {
  return {
    atMs: result.atMs,
    score: result.score,
    suspected: result.suspected,
    levelBpm: result.levelBpm,
    baselineBpm: result.baselineBpm,
    activityLevel: result.activityLevel,
  };
}

export function createCascadePolicy(options: { config?: TCascadeConfigInput; clock: TCascadeClock; requestIdPrefix?: string }): TCascadePolicy {
  const config = ZCascadeConfigSchema.parse(options.config ?? {});
  const { clock } = options;
  const prefix = options.requestIdPrefix ?? "ecg";
  let phase: TCascadePhase = "watching";
  let hitCounter = 0;
  let cooldownUntilMs = 0;
  let cooldownCondition: TScreenCondition | null = null;
  let lastAlert: { condition: TScreenCondition; atMs: number } | null = null;
  let pending: TPending | null = null;
  let latest: TScreenResult | null = null;
  let requestCount = 0;
  let refuteStreak = 0;
  let lastRefuteAtMs = Number.NEGATIVE_INFINITY;

  const enterRefuteCooldown = () => {
    const nowMs = clock.nowMs();
    refuteStreak = nowMs - lastRefuteAtMs > config.refuteStreakResetMs ? 1 : refuteStreak + 1;
    lastRefuteAtMs = nowMs;
    enterCooldown(Math.min(config.maxRefuteCooldownMs, config.refuteCooldownMs * 2 ** (refuteStreak - 1)));
  };

  /** A retry carries on the running sums of the first request, so its judgement uses the whole span. */
  const request = (tier1: TTier1Evidence, attempt: number, screenScores: Record<TScreenCondition, number>, screenResults = 1): TCascadeAction => {
    requestCount += 1;
    const requestId = `${prefix}-${requestCount}`;
    const atMs = clock.nowMs();
    pending = { requestId, requestedAtMs: atMs, attempt, tier1, screenScoreSums: { ...screenScores }, screenResults };
    phase = "awaiting_ecg";
    return { type: "request_ecg", requestId, atMs, attempt, durationMs: config.stripDurationMs, tier1 };
  };

  /** `onlyCondition`: the cooldown holds back only hits suspecting this condition (after an alert). */
  const enterCooldown = (durationMs: number, onlyCondition: TScreenCondition | null = null) => {
    pending = null;
    hitCounter = 0;
    phase = "cooldown";
    cooldownUntilMs = clock.nowMs() + durationMs;
    cooldownCondition = onlyCondition;
  };

  const raise = (alert: Omit<TCascadeAlert, "atMs" | "severity" | "stripRequests">, attempts: number): TCascadeAction[] => {
    const atMs = clock.nowMs();
    enterCooldown(config.alertCooldownMs, alert.condition);
    // A second alert for the same condition soon after the last one is the same event.
    if (lastAlert && lastAlert.condition === alert.condition && atMs - lastAlert.atMs < config.foldWindowMs) {
      lastAlert = { condition: alert.condition, atMs };
      return [{ type: "folded", atMs, condition: alert.condition, source: alert.source }];
    }
    lastAlert = { condition: alert.condition, atMs };
    const severity = suggestSeverity({ condition: alert.condition, levelBpm: alert.tier1.levelBpm, isConfirmed: alert.source === "ECG_CONFIRMED" });
    return [{ type: "alert", alert: { ...alert, atMs, severity, stripRequests: attempts } }];
  };

  const raiseUnconfirmed = (current: TPending, reason: "timeout" | "inconclusive" | "other_rhythm", ecg?: TEcgClassification) => {
    // The freshest screen evidence if it is still suspicious, else what triggered the request.
    const tier1 = latest && latest.score >= current.tier1.score ? toEvidence(latest) : current.tier1;
    return raise(
      {
        condition: tier1.suspected,
        source: "UNCONFIRMED_NO_ECG",
        confidence: tier1.score * config.unconfirmedConfidenceFactor,
        unconfirmedReason: reason,
        tier1,
        ...(ecg ? { ecg } : {}),
      },
      current.attempt,
    );
  };

  const onTick = (): TCascadeAction[] => {
    const nowMs = clock.nowMs();
    if (phase === "cooldown" && nowMs >= cooldownUntilMs) phase = "watching";
    if (phase === "awaiting_ecg" && pending && nowMs - pending.requestedAtMs >= config.responseTimeoutMs) {
      return raiseUnconfirmed(pending, "timeout");
    }
    return [];
  };

  return {
    config,
    getPhase: () => phase,
    onTick,
    onScreenResult(result) {
      const actions = onTick();
      if (result) latest = result;
      if (result && phase === "awaiting_ecg" && pending) {
        for (const condition of SCREEN_CONDITIONS) pending.screenScoreSums[condition] += result.conditionScores[condition];
        pending.screenResults += 1;
      }
      const isAlertCooldown = phase === "cooldown" && cooldownCondition !== null;
      if (phase !== "watching" && !isAlertCooldown) return actions;
      if (!result || result.isWarmingUp) return actions;
      const isHit = result.score >= config.escalateScore && !(isAlertCooldown && result.suspected === cooldownCondition);
      hitCounter = isHit ? hitCounter + 1 : Math.max(0, hitCounter - 1);
      if (hitCounter >= config.persistenceHits) {
        hitCounter = 0;
        actions.push(request(toEvidence(result), 1, result.conditionScores));
      }
      return actions;
    },
    onEcgResult({ requestId, classification }) {
      const actions = onTick();
      // Late answers (after the timeout already raised) and unknown ids change nothing.
      if (phase !== "awaiting_ecg" || !pending || pending.requestId !== requestId) return actions;
      const current: TPending = pending;
      const screenScores = {} as Record<TScreenCondition, number>;
      for (const condition of SCREEN_CONDITIONS) screenScores[condition] = current.screenScoreSums[condition] / current.screenResults;
      const verdict: TEcgVerdict = judgeEcgResult({ classification, config, screenScores });
      if (verdict.kind === "confirm") {
        actions.push(
          ...raise(
            {
              condition: verdict.condition,
              source: "ECG_CONFIRMED",
              confidence: verdict.probability,
              tier1: current.tier1,
              ecg: classification,
              screenDuringStrip: screenScores,
            },
            current.attempt,
          ),
        );
      } else if (verdict.kind === "refute") {
        enterRefuteCooldown();
        actions.push({ type: "refuted", requestId, atMs: clock.nowMs(), ecg: classification, reason: verdict.reason, screenDuringStrip: screenScores });
      } else if (verdict.kind === "abnormal") {
        actions.push(...raiseUnconfirmed(current, "other_rhythm", classification));
      } else if (current.attempt <= config.maxRetries) {
        actions.push(request(current.tier1, current.attempt + 1, current.screenScoreSums, current.screenResults));
      } else if (latest && latest.score >= config.escalateScore) {
        // Still suspicious after every strip was unreadable: the screen's evidence stands on its own.
        actions.push(...raiseUnconfirmed(current, "inconclusive", classification));
      } else {
        enterRefuteCooldown();
      }
      return actions;
    },
  };
}
