import { describe, expect, it } from "vitest";
import { createCascadePolicy, judgeEcgResult, suggestSeverity, type TCascadeAction, type TEcgClass, type TEcgClassification, type TEcgLabel } from "@/lib/detect/cascade";
import type { TScreenCondition, TScreenResult } from "@/lib/detect/screen";
import { ECG_CLASSES } from "@/lib/detect/ecg/ecg-classes";

function createClock(startMs = 1_000_000) {
  let nowMs = startMs;
  return {
    nowMs: () => nowMs,
    advanceS(seconds: number) {
      nowMs += seconds * 1000;
    },
  };
}

function screenResult(clock: { nowMs(): number }, score: number, overrides: Partial<TScreenResult> = {}): TScreenResult {
  const suspected: TScreenCondition = overrides.suspected ?? "tachycardia_rest";
  return {
    atMs: clock.nowMs(),
    score,
    suspected,
    conditionScores: { tachycardia_rest: 0, bradycardia: 0, afib: 0, ectopic_burst: 0, [suspected]: score },
    levelBpm: 140,
    baselineBpm: 65,
    activityLevel: 2,
    isWarmingUp: false,
    ...overrides,
  };
}

function ecg(label: TEcgLabel, probability: number): TEcgClassification {
  const ecgClass: TEcgClass = label === "tachycardia" || label === "bradycardia" ? "normal_sinus" : label;
  const rest = (1 - probability) / (ECG_CLASSES.length - 1);
  const probabilities = Object.fromEntries(ECG_CLASSES.map((name) => [name, name === ecgClass ? probability : rest])) as Record<TEcgClass, number>;
  return { label, confidence: probability, probabilities, heartRateBpm: null, modelVersion: "test" };
}

const CONFIG = { escalateScore: 0.5, persistenceHits: 5, refuteCooldownMs: 180_000, alertCooldownMs: 600_000, responseTimeoutMs: 60_000 };

/** Feeds one result per second; returns every action produced. */
function feed(policy: ReturnType<typeof createCascadePolicy>, clock: ReturnType<typeof createClock>, scores: number[], overrides: Partial<TScreenResult> = {}) {
  const actions: TCascadeAction[] = [];
  for (const score of scores) {
    clock.advanceS(1);
    actions.push(...policy.onScreenResult(screenResult(clock, score, overrides)));
  }
  return actions;
}

const requests = (actions: TCascadeAction[]) => actions.filter((action) => action.type === "request_ecg");
const alerts = (actions: TCascadeAction[]) => actions.flatMap((action) => (action.type === "alert" ? [action.alert] : []));

function escalate(policy: ReturnType<typeof createCascadePolicy>, clock: ReturnType<typeof createClock>, overrides: Partial<TScreenResult> = {}) {
  const actions = feed(policy, clock, [0.95, 0.95, 0.95, 0.95, 0.95], overrides);
  const request = requests(actions)[0];
  if (!request || request.type !== "request_ecg") throw new Error("expected a strip request");
  return request;
}

describe("cascade escalation", () => {
  it("asks for a strip only after the hits persist", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: CONFIG });
    expect(requests(feed(policy, clock, [0.9, 0.9, 0.9, 0.9]))).toHaveLength(0);
    const actions = feed(policy, clock, [0.9]);
    expect(requests(actions)).toHaveLength(1);
    expect(requests(actions)[0]).toMatchObject({ attempt: 1, durationMs: 30_000, tier1: { score: 0.9, suspected: "tachycardia_rest" } });
    expect(policy.getPhase()).toBe("awaiting_ecg");
  });

  it("lets quiet seconds drain the hit counter, so scattered hits never escalate", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: CONFIG });
    const scattered = Array.from({ length: 300 }, (_, index) => (index % 2 === 0 ? 0.9 : 0.1));
    expect(requests(feed(policy, clock, scattered))).toHaveLength(0);
    // Hits, a gap of no reading (null results change nothing), then more hits: 3 + 2 = 5.
    const actions = feed(policy, clock, [0.9, 0.9, 0.9]);
    clock.advanceS(1);
    actions.push(...policy.onScreenResult(null));
    actions.push(...feed(policy, clock, [0.9, 0.9]));
    expect(requests(actions)).toHaveLength(1);
  });

  it("ignores results while the baseline is warming up", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: CONFIG });
    expect(requests(feed(policy, clock, Array(30).fill(0.99), { isWarmingUp: true }))).toHaveLength(0);
  });

  it("doubles the cooldown with each refutation in a row, and starts over after a quiet spell", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: { ...CONFIG, refuteCooldownMs: 60_000, maxRefuteCooldownMs: 240_000, refuteStreakResetMs: 1_800_000 } });
    const gaps: number[] = [];
    let lastRequestMs = 0;
    for (let round = 0; round < 5; round += 1) {
      const request = escalate(policy, clock);
      if (round > 0) gaps.push((request.atMs - lastRequestMs) / 1000);
      clock.advanceS(40);
      policy.onEcgResult({ requestId: request.requestId, classification: ecg("normal_sinus", 0.95) });
      lastRequestMs = request.atMs;
      // Wait out the cooldown (results during it change nothing).
      while (policy.getPhase() === "cooldown") feed(policy, clock, [0.9]);
    }
    // Strip answered 40 s after the request (41 s when the helper fed one more hit after it), the
    // cooldown (60, 120, 240, then capped at 240 s), and 4 more hits after the one that ends it.
    expect(gaps).toEqual([40 + 60 + 4, 41 + 120 + 4, 41 + 240 + 4, 41 + 240 + 4]);
    clock.advanceS(1_900);
    const request = escalate(policy, clock);
    clock.advanceS(40);
    policy.onEcgResult({ requestId: request.requestId, classification: ecg("normal_sinus", 0.95) });
    const before = clock.nowMs();
    while (policy.getPhase() === "cooldown") feed(policy, clock, [0.9]);
    expect((clock.nowMs() - before) / 1000).toBe(60);
  });

  it("does not ask again during the cooldown after a refuting strip, and does after it", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: CONFIG });
    const request = escalate(policy, clock);
    clock.advanceS(40);
    const refuted = policy.onEcgResult({ requestId: request.requestId, classification: ecg("normal_sinus", 0.95) });
    expect(refuted).toEqual([expect.objectContaining({ type: "refuted", requestId: request.requestId })]);
    expect(alerts(refuted)).toHaveLength(0);
    expect(requests(feed(policy, clock, Array(170).fill(0.9)))).toHaveLength(0);
    expect(requests(feed(policy, clock, Array(20).fill(0.9)))).toHaveLength(1);
  });
});

describe("cascade confirmation", () => {
  it("confirms with the ECG's rhythm and reports its probability as the confidence", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: CONFIG });
    const request = escalate(policy, clock, { suspected: "afib", levelBpm: 130 });
    clock.advanceS(40);
    const [alert] = alerts(policy.onEcgResult({ requestId: request.requestId, classification: ecg("atrial_fibrillation", 0.92) }));
    expect(alert).toMatchObject({ condition: "afib", source: "ECG_CONFIRMED", severity: "CRITICAL", confidence: 0.92, stripRequests: 1 });
    expect(alert!.atMs).toBe(clock.nowMs());
    expect(alert!.ecg?.label).toBe("atrial_fibrillation");
    expect(alert!.tier1.suspected).toBe("afib");
  });

  it("names the rhythm the strip shows when it differs from the screen's suspicion", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: CONFIG });
    const request = escalate(policy, clock, { suspected: "tachycardia_rest" });
    clock.advanceS(40);
    const [alert] = alerts(policy.onEcgResult({ requestId: request.requestId, classification: ecg("atrial_fibrillation", 0.8) }));
    expect(alert?.condition).toBe("afib");
  });

  it("asks again after a noisy strip, then falls back to an unconfirmed alert while the screen stays suspicious", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: { ...CONFIG, maxRetries: 1 } });
    const first = escalate(policy, clock);
    clock.advanceS(40);
    const retry = policy.onEcgResult({ requestId: first.requestId, classification: ecg("noise", 0.9) });
    expect(requests(retry)).toEqual([expect.objectContaining({ attempt: 2 })]);
    const second = requests(retry)[0]!;
    if (second.type !== "request_ecg") throw new Error("unreachable");
    feed(policy, clock, Array(40).fill(0.85));
    const [alert] = alerts(policy.onEcgResult({ requestId: second.requestId, classification: ecg("noise", 0.9) }));
    expect(alert).toMatchObject({ source: "UNCONFIRMED_NO_ECG", unconfirmedReason: "inconclusive", condition: "tachycardia_rest", stripRequests: 2 });
    expect(alert!.confidence).toBeCloseTo(0.95 * 0.6, 10);
  });

  it("raises the screen's alert at once, strip attached, when the strip shows another abnormal rhythm", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: CONFIG });
    const request = escalate(policy, clock);
    const other = ecg("other_rhythm", 0.8);
    const [alert] = alerts(policy.onEcgResult({ requestId: request.requestId, classification: other }));
    // Neither a confirmation (the ECG does not show what the screen suspected) nor a refutation.
    expect(alert).toMatchObject({ source: "UNCONFIRMED_NO_ECG", unconfirmedReason: "other_rhythm", condition: "tachycardia_rest", stripRequests: 1, ecg: other });
    expect(alert!.severity).not.toBe("CRITICAL");
    // Below the confirm probability it is undecided, so the watch is asked again.
    const retry = createCascadePolicy({ clock, config: CONFIG });
    const second = escalate(retry, clock);
    expect(retry.onEcgResult({ requestId: second.requestId, classification: ecg("other_rhythm", 0.4) })).toMatchObject([{ type: "request_ecg", attempt: 2 }]);
  });

  it("drops the event when every strip was unreadable and the screen has calmed down", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: { ...CONFIG, maxRetries: 0 } });
    const request = escalate(policy, clock);
    feed(policy, clock, Array(40).fill(0.1));
    const actions = policy.onEcgResult({ requestId: request.requestId, classification: ecg("noise", 0.9) });
    expect(actions).toEqual([]);
    expect(policy.getPhase()).toBe("cooldown");
  });

  it("treats an abnormal label below the confirm probability as inconclusive, not as a confirmation", () => {
    const config = { confirmProbability: 0.6, refuteProbability: 0.6, rateAgreementScore: 0.5, rateSuspicionScore: 0.9 };
    const screenScores = { tachycardia_rest: 0.9, bradycardia: 0.9, afib: 0, ectopic_burst: 0 };
    expect(judgeEcgResult({ classification: ecg("tachycardia", 0.45), screenScores, config })).toEqual({ kind: "inconclusive", reason: "low_confidence" });
    expect(judgeEcgResult({ classification: ecg("bradycardia", 0.6), screenScores, config })).toMatchObject({ kind: "confirm", condition: "bradycardia" });
  });

  it("confirms a rate-defined rhythm only with the screen's support, AF and ectopy on their own", () => {
    const config = { confirmProbability: 0.6, refuteProbability: 0.6, rateAgreementScore: 0.5, rateSuspicionScore: 0.9 };
    // E.g. asleep at 50 bpm: the strip reads as bradycardia; the screen, which knows the patient's
    // sleeping baseline, was only partly suspicious, and of something else (mean suspicion 0.7).
    const unsure = { tachycardia_rest: 0.05, bradycardia: 0.2, afib: 0.05, ectopic_burst: 0.4 };
    expect(judgeEcgResult({ classification: ecg("bradycardia", 0.95), screenScores: unsure, config })).toEqual({
      kind: "refute",
      probability: 0.95,
      reason: "rate_explained_by_context",
    });
    expect(judgeEcgResult({ classification: ecg("tachycardia", 0.95), screenScores: unsure, config })).toMatchObject({ kind: "refute" });
    expect(judgeEcgResult({ classification: ecg("atrial_fibrillation", 0.95), screenScores: unsure, config })).toMatchObject({ kind: "confirm", condition: "afib" });
    expect(judgeEcgResult({ classification: ecg("ventricular_ectopy", 0.95), screenScores: unsure, config })).toMatchObject({ kind: "confirm", condition: "ectopic_burst" });
    // Both name bradycardia.
    const bradycardic = { tachycardia_rest: 0, bradycardia: 0.55, afib: 0, ectopic_burst: 0.1 };
    expect(judgeEcgResult({ classification: ecg("bradycardia", 0.9), screenScores: bradycardic, config })).toMatchObject({ kind: "confirm", condition: "bradycardia" });
    // PVCs at 52 bpm: the strip says bradycardia, the watch is sure of ectopy. Still an event, named by the ECG.
    const ectopic = { tachycardia_rest: 0, bradycardia: 0.02, afib: 0, ectopic_burst: 0.95 };
    expect(judgeEcgResult({ classification: ecg("bradycardia", 0.9), screenScores: ectopic, config })).toMatchObject({ kind: "confirm", condition: "bradycardia" });
  });

  it("refutes a bradycardia strip when the screen calmed down while it recorded", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: CONFIG });
    const request = escalate(policy, clock, { suspected: "bradycardia" });
    feed(policy, clock, Array(35).fill(0.05), { suspected: "bradycardia" });
    const actions = policy.onEcgResult({ requestId: request.requestId, classification: ecg("bradycardia", 0.97) });
    expect(alerts(actions)).toEqual([]);
    expect(actions).toEqual([expect.objectContaining({ type: "refuted", reason: "rate_explained_by_context" })]);
  });

  it("counts the screen's view while the strip records, not only at the hit", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: CONFIG });
    const request = escalate(policy, clock, { suspected: "ectopic_burst" });
    // The rate falls during the recording: the screen comes to suspect bradycardia.
    feed(policy, clock, Array(20).fill(0.95), { suspected: "bradycardia" });
    clock.advanceS(20);
    const [alert] = alerts(policy.onEcgResult({ requestId: request.requestId, classification: ecg("bradycardia", 0.9) }));
    expect(alert).toMatchObject({ condition: "bradycardia", source: "ECG_CONFIRMED" });
  });
});

describe("cascade timeout and folding", () => {
  it("raises an unconfirmed alert with the tier-1 evidence when no strip arrives in time", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: CONFIG });
    const request = escalate(policy, clock, { suspected: "afib", levelBpm: 150 });
    clock.advanceS(59);
    expect(policy.onTick()).toEqual([]);
    clock.advanceS(1);
    const [alert] = alerts(policy.onTick());
    expect(alert).toMatchObject({ source: "UNCONFIRMED_NO_ECG", unconfirmedReason: "timeout", condition: "afib", severity: "URGENT" });
    expect(alert!.tier1).toMatchObject({ score: 0.95, levelBpm: 150, atMs: request.tier1.atMs });
    expect(alert!.ecg).toBeUndefined();
    // The strip arriving late changes nothing.
    expect(policy.onEcgResult({ requestId: request.requestId, classification: ecg("atrial_fibrillation", 0.99) })).toEqual([]);
  });

  it("asks for no strip during the alert cooldown and folds a repeat of the same condition into the open alert", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: { ...CONFIG, foldWindowMs: 1_200_000 } });
    const first = escalate(policy, clock);
    clock.advanceS(40);
    expect(alerts(policy.onEcgResult({ requestId: first.requestId, classification: ecg("tachycardia", 0.9) }))).toHaveLength(1);
    expect(requests(feed(policy, clock, Array(590).fill(0.9)))).toHaveLength(0);
    const second = requests(feed(policy, clock, Array(20).fill(0.9)))[0];
    if (!second || second.type !== "request_ecg") throw new Error("expected a request after the cooldown");
    clock.advanceS(40);
    const actions = policy.onEcgResult({ requestId: second.requestId, classification: ecg("tachycardia", 0.9) });
    expect(actions).toEqual([expect.objectContaining({ type: "folded", condition: "tachycardia_rest", source: "ECG_CONFIRMED" })]);
  });

  it("still escalates a different suspected condition during an alert's cooldown", () => {
    const clock = createClock();
    const policy = createCascadePolicy({ clock, config: CONFIG });
    const first = escalate(policy, clock, { suspected: "bradycardia" });
    feed(policy, clock, Array(40).fill(0.95), { suspected: "bradycardia" });
    expect(alerts(policy.onEcgResult({ requestId: first.requestId, classification: ecg("bradycardia", 0.9) }))).toHaveLength(1);
    expect(requests(feed(policy, clock, Array(60).fill(0.9), { suspected: "bradycardia" }))).toHaveLength(0);
    const second = requests(feed(policy, clock, Array(5).fill(0.9), { suspected: "ectopic_burst" }));
    expect(second).toEqual([expect.objectContaining({ tier1: expect.objectContaining({ suspected: "ectopic_burst" }) })]);
  });

  it("suggests severities from the condition and the rate", () => {
    expect(suggestSeverity({ condition: "afib", levelBpm: 120, isConfirmed: true })).toBe("CRITICAL");
    expect(suggestSeverity({ condition: "tachycardia_rest", levelBpm: 130, isConfirmed: true })).toBe("URGENT");
    expect(suggestSeverity({ condition: "tachycardia_rest", levelBpm: 165, isConfirmed: true })).toBe("CRITICAL");
    expect(suggestSeverity({ condition: "bradycardia", levelBpm: 35, isConfirmed: true })).toBe("CRITICAL");
    expect(suggestSeverity({ condition: "bradycardia", levelBpm: 35, isConfirmed: false })).toBe("URGENT");
    expect(suggestSeverity({ condition: "ectopic_burst", levelBpm: 70, isConfirmed: true })).toBe("WARNING");
  });
});
