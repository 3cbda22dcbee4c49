// 1 Hz heart rate and wrist activity of one simulated patient, with ground truth. A pure function of
// the options and the seed: the same options always give the same stream.
//
// Model, per second:
//   base rate   = resting rate x circadian factor (awake +-3 %, asleep 10-15 % lower, eased in and out)
//   target      = base + (HRmax - base) x activity share, or an exercise episode's own target
//   sinus rate  = first-order lag towards the target (tau 30-60 s up, 1.5-2.5x slower down, as heart
//                 rate kinetics at exercise onset and recovery), not below a slowly fading floor after
//                 effort, + slow physiological wander (SD ~2.5 bpm)
//   rhythm      = an arrhythmia episode replaces the sinus rate
//   reading     = rhythm + sensor noise, or a motion artifact, a dropout (0) or a glitch episode's value
import { z } from "zod";
import { ACTIVITY_MAX, createActivityModel, drawWaitS, ZActivityPlanSchema } from "./heart-rate-activity";
import { createEpisodeRunner, type TEpisodeRunner } from "./heart-rate-episodes";
import { createSleepSchedule, getAsleepHeartRateFactor, getAwakeHeartRateFactor, getLocalHour, getLocalMs } from "./circadian";
import { ZEpisodeListSchema, type TEpisode, type TEpisodeType } from "./episodes";
import { createRng } from "./rng";

/** Reported instead of a rate when the sensor has no reading. */
export const NO_READING_BPM = 0;
/** Plausible range of a reading; values outside are clamped (a real watch also bounds its output). */
export const READING_MIN_BPM = 25;
export const READING_MAX_BPM = 250;

export const ZHeartRateOptionsSchema = z.strictObject({
  seed: z.union([z.number(), z.string()]),
  /** The patient's own awake resting rate. */
  restingBpm: z.number().min(35).max(120).default(65),
  ageYears: z.number().min(5).max(120).default(45),
  /** Defaults to 220 - age (Fox 1971), the usual estimate when no exercise test is available. */
  maxBpm: z.number().min(90).max(230).optional(),
  /** Wall-clock time of the first sample; with the UTC offset it sets the circadian phase. 0 = midnight UTC. */
  startEpochMs: z.number().default(0),
  utcOffsetMinutes: z.number().int().min(-720).max(840).default(0),
  episodes: ZEpisodeListSchema.default([]),
  /** SD of the optical sensor's noise on each reading. */
  noiseBpm: z.number().min(0).max(20).default(1.5),
  /** Unlabelled motion artifacts (cadence lock-on while moving, offsets when still). */
  artifactRatePerHour: z.number().min(0).max(360).default(0.5),
  /** Dropouts, reported as NO_READING_BPM for a few seconds to a couple of minutes each. */
  gapRatePerHour: z.number().min(0).max(360).default(1),
  activityPlan: ZActivityPlanSchema.prefault({}),
});
export type THeartRateOptions = z.input<typeof ZHeartRateOptionsSchema>;

export type THeartRateSample = {
  /** Seconds since the start of the stream; the sample covers [tS, tS + 1). */
  tS: number;
  /** Integer reading, NO_READING_BPM (0) for no reading, otherwise within READING_MIN_BPM..READING_MAX_BPM. */
  bpm: number;
  /** Integer accelerometer count 0..1000 for this second. */
  activity: number;
  /** The episode active at tS, or null. */
  truth: TEpisodeType | null;
};

export type THeartRateStream = { next(): THeartRateSample };

export type THeartRateSeries = { bpm: number[]; activity: number[]; truth: (TEpisodeType | null)[] };

// Activity count at which the target reaches 90 % of the heart-rate reserve (hard running).
const ACTIVITY_PER_RESERVE = 1050;
const MAX_RESERVE_SHARE = 0.9;
// Falling asleep and waking ease the rate over ~15 min rather than stepping.
const SLEEP_EASE_ALPHA = 1 - Math.exp(-1 / 900);
// After sustained effort the rate stays raised for tens of minutes (the slow phase of recovery): a floor
// above the base rate that charges with ~30 % of the exercise rise and fades with a 10 min time constant.
// It only shows once the fast lag has fallen below it, so it never raises the rate during the effort.
const SLOW_RECOVERY_SHARE = 0.3;
const SLOW_RECOVERY_ALPHA = 1 - Math.exp(-1 / 600);
// Slow physiological wander (breathing, posture, autonomic tone): Ornstein-Uhlenbeck, tau 90 s, SD 2.5 bpm
// awake and 1.5 bpm asleep.
const WANDER_DECAY = Math.exp(-1 / 90);
const WANDER_STEP_AWAKE_BPM = 2.5 * Math.sqrt(1 - WANDER_DECAY * WANDER_DECAY);
const WANDER_STEP_ASLEEP_BPM = 1.5 * Math.sqrt(1 - WANDER_DECAY * WANDER_DECAY);

function clampReading(value: number): number {
  return Math.round(Math.min(READING_MAX_BPM, Math.max(READING_MIN_BPM, value)));
}

type TStepper = { step(): void; readonly sample: THeartRateSample };

/** The generator proper: `step()` overwrites `sample` in place, so bulk generation allocates nothing per second. */
function createStepper(options: THeartRateOptions): TStepper {
  const config = ZHeartRateOptionsSchema.parse(options);
  const root = createRng(config.seed);
  const patientRng = root.fork("patient");
  const activityRng = root.fork("activity");
  const bodyRng = root.fork("body");
  const sensorRng = root.fork("sensor");
  const artifactRng = root.fork("artifacts");
  const gapRng = root.fork("gaps");

  const maxBpm = config.maxBpm ?? 220 - config.ageYears;
  const tauUpS = patientRng.uniform(30, 60);
  const tauDownS = tauUpS * patientRng.uniform(1.5, 2.5);
  const alphaUp = 1 - Math.exp(-1 / tauUpS);
  const alphaDown = 1 - Math.exp(-1 / tauDownS);
  const sleepDip = patientRng.uniform(0.1, 0.15);
  const physiology = { maxBpm, tauUpS };

  const activityModel = createActivityModel({ rng: activityRng, plan: config.activityPlan });
  const sleepSchedule = createSleepSchedule({
    rng: root.fork("sleep"),
    sleepStartHour: config.activityPlan.sleepStartHour,
    sleepEndHour: config.activityPlan.sleepEndHour,
  });
  const episodes: TEpisode[] = [...config.episodes].sort((a, b) => a.startS - b.startS);
  const localStartMs = getLocalMs({ epochMs: config.startEpochMs, utcOffsetMinutes: config.utcOffsetMinutes });
  const gapStartPerS = config.gapRatePerHour / 3600;
  const artifactStartPerS = config.artifactRatePerHour / 3600;

  let tS = 0;
  let nextEpisodeIndex = 0;
  let runner: TEpisodeRunner | null = null;
  let runnerEndS = 0;
  let runnerStartS = 0;
  let sleepiness = sleepSchedule.isAsleep(localStartMs) ? 1 : 0;
  let sinusBpm = config.restingBpm * (sleepiness === 1 ? 1 - sleepDip : 1);
  let wanderBpm = 0;
  let slowRecoveryBpm = 0;
  let circadianValidUntilS = 0;
  let awakeFactor = 1;
  let asleepFactor = 1;
  let untilGapS = drawWaitS(gapRng, gapStartPerS);
  let gapRemainingS = 0;
  let untilArtifactS = drawWaitS(artifactRng, artifactStartPerS);
  let artifactRemainingS = 0;
  let artifactIsCadence = false;
  let artifactValue = 0;

  const sample: THeartRateSample = { tS: 0, bpm: 0, activity: 0, truth: null };

  const step = () => {
    const sampleS = tS;
    tS += 1;

    if (runner && sampleS >= runnerEndS) {
      runner = null;
      activityModel.resetToRest();
    }
    while (!runner && nextEpisodeIndex < episodes.length && episodes[nextEpisodeIndex]!.startS <= sampleS) {
      const episode = episodes[nextEpisodeIndex]!;
      nextEpisodeIndex += 1;
      if (episode.startS + episode.durationS <= sampleS) continue;
      // Parameters come from a stream named after the episode, so adding or moving another episode
      // leaves this one unchanged.
      runner = createEpisodeRunner({ episode, rng: root.fork(`episode:${episode.type}:${episode.startS}`), physiology });
      runnerStartS = episode.startS;
      runnerEndS = episode.startS + episode.durationS;
      activityModel.resetToRest();
    }
    const elapsedS = sampleS - runnerStartS;

    const localMs = localStartMs + sampleS * 1000;
    if (sampleS >= circadianValidUntilS) {
      // The circadian factors change by well under 0.1 % a minute: refresh them once a minute.
      const localHour = getLocalHour({ epochMs: localMs });
      awakeFactor = getAwakeHeartRateFactor(localHour);
      asleepFactor = getAsleepHeartRateFactor(localHour, sleepDip);
      circadianValidUntilS = sampleS + 60;
    }
    const isExercising = runner?.exerciseTargetBpm != null;
    const isAsleep = !isExercising && sleepSchedule.isAsleep(localMs);
    if (isAsleep) activityModel.resetToRest();
    sleepiness += ((isAsleep ? 1 : 0) - sleepiness) * SLEEP_EASE_ALPHA;
    const baseBpm = config.restingBpm * (awakeFactor * (1 - sleepiness) + asleepFactor * sleepiness);

    let activityValue: number;
    if (runner?.nextActivity) activityValue = runner.nextActivity(elapsedS);
    else if (isAsleep) activityValue = activityModel.nextAsleep();
    else if (runner) activityValue = activityModel.nextRest();
    else activityValue = activityModel.nextAwake();
    const activity = Math.min(ACTIVITY_MAX, Math.max(0, Math.round(activityValue)));

    const targetBpm = runner?.exerciseTargetBpm
      ? runner.exerciseTargetBpm(baseBpm, elapsedS)
      : baseBpm + Math.max(0, maxBpm - baseBpm) * Math.min(MAX_RESERVE_SHARE, activity / ACTIVITY_PER_RESERVE);
    sinusBpm += (targetBpm - sinusBpm) * (targetBpm > sinusBpm ? alphaUp : alphaDown);
    slowRecoveryBpm += (Math.max(0, sinusBpm - baseBpm) * SLOW_RECOVERY_SHARE - slowRecoveryBpm) * SLOW_RECOVERY_ALPHA;
    wanderBpm = wanderBpm * WANDER_DECAY + bodyRng.normal(0, isAsleep ? WANDER_STEP_ASLEEP_BPM : WANDER_STEP_AWAKE_BPM);
    const bodyBpm = Math.max(sinusBpm, baseBpm + slowRecoveryBpm) + wanderBpm;
    const heartBpm = runner?.applyRhythm ? runner.applyRhythm(bodyBpm, elapsedS) : bodyBpm;

    // Sensor: gaps and artifacts run on their own random streams and clocks, so their timing does not
    // depend on the episodes or the activity.
    if (gapRemainingS === 0 && --untilGapS <= 0) {
      untilGapS = drawWaitS(gapRng, gapStartPerS);
      // Mostly short (mean ~17 s), occasionally minutes: exponential tail, capped.
      gapRemainingS = Math.min(180, 2 + Math.round(-15 * Math.log(1 - gapRng.next())));
    }
    const isGap = gapRemainingS > 0;
    if (isGap) gapRemainingS -= 1;
    if (artifactRemainingS === 0 && --untilArtifactS <= 0) {
      untilArtifactS = drawWaitS(artifactRng, artifactStartPerS);
      artifactRemainingS = artifactRng.int(3, 20);
      // Moving: the optical sensor locks onto the step cadence. Still: a pressure or light offset.
      artifactIsCadence = activity > 80;
      artifactValue = artifactIsCadence ? 95 + activity * 0.1 : (artifactRng.chance(0.5) ? 1 : -1) * artifactRng.uniform(20, 45);
    }
    const isArtifact = artifactRemainingS > 0;
    if (isArtifact) artifactRemainingS -= 1;

    let bpm: number;
    if (runner?.sensorReading) {
      const reading = runner.sensorReading(elapsedS);
      bpm = reading === NO_READING_BPM ? NO_READING_BPM : clampReading(reading);
    } else if (isGap) {
      bpm = NO_READING_BPM;
    } else if (isArtifact) {
      bpm = clampReading((artifactIsCadence ? artifactValue : heartBpm + artifactValue) + artifactRng.normal(0, 2));
    } else {
      bpm = clampReading(heartBpm + sensorRng.normal(0, config.noiseBpm));
    }
    sample.tS = sampleS;
    sample.bpm = bpm;
    sample.activity = activity;
    sample.truth = runner ? runner.type : null;
  };

  return { step, sample };
}

/** One sample per simulated second, forever; memory stays constant however long it runs. */
export function createHeartRateStream(options: THeartRateOptions): THeartRateStream {
  const stepper = createStepper(options);
  return {
    next() {
      stepper.step();
      return { ...stepper.sample };
    },
  };
}

/** `seconds` samples of the stream as parallel arrays (index = tS). */
export function generateHeartRate(options: THeartRateOptions, seconds: number): THeartRateSeries {
  if (!Number.isInteger(seconds) || seconds < 0) throw new RangeError("seconds must be a non-negative integer");
  const stepper = createStepper(options);
  const { sample } = stepper;
  // Pre-sized arrays: growing them by push costs more than the simulation itself.
  const bpm = new Array<number>(seconds).fill(0);
  const activity = new Array<number>(seconds).fill(0);
  const truth = new Array<TEpisodeType | null>(seconds).fill(null);
  for (let index = 0; index < seconds; index += 1) {
    stepper.step();
    bpm[index] = sample.bpm;
    activity[index] = sample.activity;
    truth[index] = sample.truth;
  }
  return { bpm, activity, truth };
}
