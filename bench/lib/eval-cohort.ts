// Shared by scripts/train-screen.ts and scripts/eval-cascade.ts: a simulated cohort, tier 1 run over
// each patient's stream, and event-level scoring of alerts against the ground-truth episodes.
import { createWatchScreen, SCREEN_CONDITIONS, type TScreenCondition, type TWatchScreenWeights } from "../../lib/detect/screen";
import { isClinicalEpisode, type TEpisode, type TEpisodeType } from "../../lib/sim/episodes";
import { generateHeartRate, type THeartRateSeries } from "../../lib/sim/heart-rate";
import { createPatientHeartRateOptions, type TScenario, type TScenarioPatient } from "../../lib/sim/scenario";

export type TSimulatedPatient = {
  patient: TScenarioPatient;
  series: THeartRateSeries;
  ageYears: number;
  startEpochMs: number;
  seconds: number;
};

export function simulatePatient(options: { scenario: TScenario; patient: TScenarioPatient; seconds: number }): TSimulatedPatient {
  const heartRate = createPatientHeartRateOptions({ scenario: options.scenario, patient: options.patient });
  return {
    patient: options.patient,
    series: generateHeartRate(heartRate, options.seconds),
    ageYears: options.patient.ageYears ?? 45,
    startEpochMs: options.scenario.startEpochMs ?? 0,
    seconds: options.seconds,
  };
}

/** Tier 1 over a whole stream, one entry per second. score is NaN where the screen had no result. */
export type TScreenTrace = {
  score: Float32Array;
  /** Index into SCREEN_CONDITIONS of the suspected condition. */
  suspected: Uint8Array;
  levelBpm: Float32Array;
  baselineBpm: Float32Array;
  activityLevel: Float32Array;
  isWarmingUp: Uint8Array;
};

export function runScreenOverSeries(options: { weights: TWatchScreenWeights; simulated: TSimulatedPatient }): TScreenTrace {
  const { simulated } = options;
  const screen = createWatchScreen({ weights: options.weights, ageYears: simulated.ageYears });
  const n = simulated.seconds;
  const trace: TScreenTrace = {
    score: new Float32Array(n),
    suspected: new Uint8Array(n),
    levelBpm: new Float32Array(n),
    baselineBpm: new Float32Array(n),
    activityLevel: new Float32Array(n),
    isWarmingUp: new Uint8Array(n),
  };
  const { bpm, activity } = simulated.series;
  for (let second = 0; second < n; second += 1) {
    const result = screen.push({ bpm: bpm[second]!, activity: activity[second]!, atMs: simulated.startEpochMs + second * 1000 });
    if (!result) {
      trace.score[second] = Number.NaN;
      continue;
    }
    trace.score[second] = result.score;
    trace.suspected[second] = SCREEN_CONDITIONS.indexOf(result.suspected);
    trace.levelBpm[second] = result.levelBpm;
    trace.baselineBpm[second] = result.baselineBpm;
    trace.activityLevel[second] = result.activityLevel;
    trace.isWarmingUp[second] = result.isWarmingUp ? 1 : 0;
  }
  return trace;
}

export function clinicalEpisodesOf(patient: TScenarioPatient, seconds: number): TEpisode[] {
  return patient.episodes.filter((episode) => isClinicalEpisode(episode.type) && episode.startS + episode.durationS <= seconds);
}

/** An alert (or a hit folded into an open alert) at a time, in seconds from the stream start. */
export type TScoredAlert = { atS: number; isNew: boolean; condition: TScreenCondition };

export type TEpisodeOutcome = { type: TEpisodeType; durationS: number; detected: boolean; timeToAlertS: number | null };

export type TAlertScore = { outcomes: TEpisodeOutcome[]; falseAlerts: number; trueAlerts: number };

/**
 * Event-level scoring. An episode (clinical, >= 60 s) counts as detected when an alert is raised or a
 * hit folds into an open alert between its start and its end plus `graceS` (the confirming strip of an
 * escalation near the end is recorded after it). Time to alert = that first alert time minus the
 * episode's start. A new alert outside every episode's [start, end + grace] is a false alert; folded
 * hits never count as new alerts.
 */
export function scoreAlerts(options: { episodes: readonly TEpisode[]; alerts: readonly TScoredAlert[]; graceS: number; minEpisodeS?: number }): TAlertScore {
  const minEpisodeS = options.minEpisodeS ?? 60;
  const alerts = [...options.alerts].sort((a, b) => a.atS - b.atS);
  const outcomes: TEpisodeOutcome[] = [];
  for (const episode of options.episodes) {
    if (episode.durationS < minEpisodeS) continue;
    const untilS = episode.startS + episode.durationS + options.graceS;
    const first = alerts.find((alert) => alert.atS >= episode.startS && alert.atS <= untilS);
    outcomes.push({ type: episode.type, durationS: episode.durationS, detected: !!first, timeToAlertS: first ? first.atS - episode.startS : null });
  }
  let falseAlerts = 0;
  let trueAlerts = 0;
  for (const alert of alerts) {
    if (!alert.isNew) continue;
    const inside = options.episodes.some((episode) => alert.atS >= episode.startS && alert.atS <= episode.startS + episode.durationS + options.graceS);
    if (inside) trueAlerts += 1;
    else falseAlerts += 1;
  }
  return { outcomes, falseAlerts, trueAlerts };
}

/**
 * The cascade's escalation rule alone (leaky hit counter, then a pause), over a precomputed trace:
 * cheap enough to sweep thresholds. Same counting as lib/detect/cascade's policy: +1 per result at or
 * above the threshold, -1 per result below, nothing for seconds without a result or while warming up.
 */
export function findGateFirings(options: { trace: TScreenTrace; threshold: number; persistenceHits: number; pauseS: number }): number[] {
  const { trace, threshold, persistenceHits, pauseS } = options;
  const firings: number[] = [];
  let counter = 0;
  let pausedUntilS = 0;
  for (let second = 0; second < trace.score.length; second += 1) {
    if (second < pausedUntilS) continue;
    const score = trace.score[second]!;
    if (Number.isNaN(score) || trace.isWarmingUp[second] === 1) continue;
    counter = score >= threshold ? counter + 1 : Math.max(0, counter - 1);
    if (counter >= persistenceHits) {
      firings.push(second);
      counter = 0;
      pausedUntilS = second + pauseS;
    }
  }
  return firings;
}
