// Tier 1's view of the watch stream: per-patient state learned online (the resting baseline) and the
// features of the sliding windows that end at each new sample. Pure and allocation-free per sample, so
// the server (at ingest) and the watch run the same code. Work per sample is bounded by the window
// lengths (at most 60 readings are looked at), which is what "O(1) per sample" means here.

/** Feature order of the model's input; the trained weights name it too, and the loader checks it. */
export const SCREEN_FEATURE_NAMES = [
  "level10VsBaseline",
  "level30VsBaseline",
  "level10Absolute",
  "activity30",
  "activityLag",
  "activityRecent",
  "excessOverActivity",
  "medianAbsDiff",
  "meanAbsDiff",
  "outlierFraction30",
  "excursions60",
  "missingFraction30",
  "bigJumpFraction30",
  "baselineConfidence",
] as const;
export type TScreenFeatureName = (typeof SCREEN_FEATURE_NAMES)[number];
export const SCREEN_FEATURE_COUNT = SCREEN_FEATURE_NAMES.length;

export type TScreenSample = {
  /** Reading in bpm; 0 (or anything not positive) = no reading. */
  bpm: number;
  /** Accelerometer count for the second, 0..1000. */
  activity: number;
  atMs: number;
};

export type TScreenFeatureOptions = {
  /** Known resting rate (e.g. from the patient's record); skips most of the warm-up. */
  initialBaselineBpm?: number;
  /** Used for the rate the current activity explains (HRmax = 220 - age, Fox 1971). */
  ageYears?: number;
};

export type TScreenFeatureState = {
  baselineBpm: number | null;
  /** Low-activity windows the baseline has learned from. */
  restUpdates: number;
  level10Bpm: number | null;
  level30Bpm: number | null;
  validReadings30: number;
  /** Activity count averaged with the heart rate's own lag (~45 s). */
  activityLag: number;
  /**
   * Separate runs of readings off the 30 s median by more than PULSE_DEFICIT_FRACTION in the last 60 s,
   * as of the last scored window (push); 0 before any. Not a model input: the screen gates its ectopy
   * score with it (gate-condition-scores.ts).
   */
  largeExcursions60: number;
};

export type TScreenFeatureExtractor = {
  /** Adds one 1 Hz sample; returns the feature vector (reused buffer) or null when the window holds too few readings. */
  push(sample: TScreenSample): Float64Array | null;
  /** The same state change as push() without the feature vector: for history nobody will score. */
  observe(sample: TScreenSample): void;
  state(): TScreenFeatureState;
};

const LONG_WINDOW_S = 60;
const WINDOW_S = 30;
const SHORT_WINDOW_S = 10;
/** Below this many readings in the last 30 s (a loose or removed watch) nothing is scored. */
export const MIN_VALID_READINGS = 10;
// Activity counts of sitting or lying still (lib/sim/heart-rate-activity.ts: 0-5 still, fidgets to 60,
// light activity from 30): the 45 s average below 20 means the patient has been at rest.
const REST_ACTIVITY = 20;
// Heart rate follows activity with a lag of 30-60 s at onset (exercise kinetics); recovery after
// sustained effort takes tens of minutes, hence the second, slow average.
const ACTIVITY_LAG_ALPHA = 1 - Math.exp(-1 / 45);
const ACTIVITY_RECENT_ALPHA = 1 - Math.exp(-1 / 600);
const LOG_ACTIVITY_SCALE = Math.log(1001);
// Baseline: a clipped EWMA of the 30 s median at rest. Time constant 30 min; each step moves it by at
// most 3 bpm x alpha, so a 20 min arrhythmia shifts it by ~2 bpm, while falling asleep (10-15 % lower
// over ~15 min) is followed within the hour. During warm-up it is a plain running mean.
const BASELINE_ALPHA = 1 / 1800;
const BASELINE_CLIP_BPM = 3;
/** Rest windows (one per second at rest) before the baseline is trusted: 5 minutes. */
export const WARM_UP_REST_UPDATES = 300;
/** Rest windows after which the baseline counts as learned (feature baselineConfidence reaches 1). */
export const BASELINE_CONFIDENT_UPDATES = 600;
// Share of HR reserve reached per activity count (the simulator's own calibration: 90 % at 1050,
// matching hard running) and the cap of that share.
const ACTIVITY_PER_RESERVE = 1050;
const MAX_RESERVE_SHARE = 0.9;
const DEFAULT_AGE_YEARS = 50;
// A reading off the 30 s median by more than 12 % (sinus rhythm at rest moves ~2-4 %; ectopic beats
// 20-40 %, AF's second-to-second jitter 10-20 bpm) is an outlier; by more than 50 % an implausible jump.
const OUTLIER_FRACTION = 0.12;
const BIG_JUMP_FRACTION = 0.5;
/**
 * A reading off the 30 s median by more than 20 %: what one lost pulse (an ectopic beat too weak to
 * make a pulse wave) does to a rate averaged over ~5 s at 50-80 bpm, and the simulator's smallest
 * ectopic burst (lib/sim/episodes.ts, 20-40 %). Real sinus swings of 5-10 bpm stay below it.
 */
export const PULSE_DEFICIT_FRACTION = 0.2;
// Scales that bring each feature to roughly unit range before the model's own standardisation.
const DIFF_SCALE = 10;
const EXCURSION_SCALE = 5;
const ABSOLUTE_CENTRE_BPM = 75;
const ABSOLUTE_SCALE_BPM = 25;

/** Index of the first element > value in sorted[0..count). */
function upperBound(sorted: Float64Array, count: number, value: number): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] as number) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * A multiset of at most `capacity` numbers kept sorted: insert and remove by shifting, median in O(1).
 * A class, not closures: every patient's screen holds three, and the server holds every patient's.
 */
class SortedWindow {
  private readonly values: Float64Array;
  private size = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  count(): number {
    return this.size;
  }

  insert(value: number): void {
    const position = upperBound(this.values, this.size, value);
    this.values.copyWithin(position + 1, position, this.size);
    this.values[position] = value;
    this.size += 1;
  }

  remove(value: number): void {
    const position = upperBound(this.values, this.size, value) - 1;
    if (position < 0 || this.values[position] !== value) return;
    this.values.copyWithin(position, position + 1, this.size);
    this.size -= 1;
  }

  median(): number {
    const middle = this.size >> 1;
    return this.size % 2 === 1 ? (this.values[middle] as number) : 0.5 * ((this.values[middle - 1] as number) + (this.values[middle] as number));
  }

  sum(): number {
    let total = 0;
    for (let index = 0; index < this.size; index += 1) total += this.values[index] as number;
    return total;
  }

  /** How many values are greater than `value`. */
  countAbove(value: number): number {
    return this.size - upperBound(this.values, this.size, value);
  }

  /** How many values are smaller than `value`. */
  countBelow(value: number): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.values[middle] as number) < value) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

export function createScreenFeatureExtractor(options: TScreenFeatureOptions = {}): TScreenFeatureExtractor {
  const maxBpm = 220 - (options.ageYears ?? DEFAULT_AGE_YEARS);
  const bpmRing = new Float64Array(LONG_WINDOW_S);
  const activityRing = new Float64Array(LONG_WINDOW_S);
  // The last 30 s of readings, the last 10 s, and the successive differences of the last 30 s, each
  // kept sorted as samples enter and leave, so medians and counts cost no sort.
  const window30 = new SortedWindow(WINDOW_S);
  const window10 = new SortedWindow(SHORT_WINDOW_S);
  const diffs30 = new SortedWindow(WINDOW_S);
  const features = new Float64Array(SCREEN_FEATURE_COUNT);
  let head = 0;
  let filled = 0;
  let activitySum30 = 0;
  let activityLag = 0;
  let activityRecent = 0;
  let baselineBpm: number | null = options.initialBaselineBpm ?? null;
  let restUpdates = options.initialBaselineBpm === undefined ? 0 : WARM_UP_REST_UPDATES;
  let level10Bpm: number | null = null;
  let level30Bpm: number | null = null;
  let largeExcursions60 = 0;

  // Ring index of the reading `ageS` seconds ago (0 = the newest).
  const at = (ageS: number) => (head - 1 - ageS + LONG_WINDOW_S * 2) % LONG_WINDOW_S;

  const updateBaseline = (levelBpm: number) => {
    if (baselineBpm === null) {
      baselineBpm = levelBpm;
      restUpdates = 1;
      return;
    }
    if (restUpdates < WARM_UP_REST_UPDATES) {
      baselineBpm += (levelBpm - baselineBpm) / (restUpdates + 1);
    } else {
      const step = Math.max(-BASELINE_CLIP_BPM, Math.min(BASELINE_CLIP_BPM, levelBpm - baselineBpm));
      baselineBpm += step * BASELINE_ALPHA;
    }
    restUpdates += 1;
  };

  /** Takes one sample into the windows and the baseline; computes the features only when asked. */
  const step = (sample: TScreenSample, withFeatures: boolean): Float64Array | null => {
    const bpm = sample.bpm > 0 && Number.isFinite(sample.bpm) ? sample.bpm : 0;
    const activity = Math.max(0, Number.isFinite(sample.activity) ? sample.activity : 0);
    // Leaving the windows: the reading 30 s old (and its pair with the one 29 s old), the one 10 s old.
    if (filled >= WINDOW_S) {
      const leaving = bpmRing[at(WINDOW_S - 1)] as number;
      const newerOfPair = bpmRing[at(WINDOW_S - 2)] as number;
      activitySum30 -= activityRing[at(WINDOW_S - 1)] as number;
      if (leaving > 0) window30.remove(leaving);
      if (leaving > 0 && newerOfPair > 0) diffs30.remove(Math.abs(newerOfPair - leaving));
    }
    if (filled >= SHORT_WINDOW_S) {
      const leaving = bpmRing[at(SHORT_WINDOW_S - 1)] as number;
      if (leaving > 0) window10.remove(leaving);
    }
    const previous = filled > 0 ? (bpmRing[at(0)] as number) : 0;
    bpmRing[head] = bpm;
    activityRing[head] = activity;
    head = (head + 1) % LONG_WINDOW_S;
    filled = Math.min(LONG_WINDOW_S, filled + 1);
    activitySum30 += activity;
    if (bpm > 0) {
      window30.insert(bpm);
      window10.insert(bpm);
      if (previous > 0) diffs30.insert(Math.abs(bpm - previous));
    }
    activityLag += (activity - activityLag) * ACTIVITY_LAG_ALPHA;
    activityRecent += (activity - activityRecent) * ACTIVITY_RECENT_ALPHA;

    const span30 = Math.min(WINDOW_S, filled);
    const valid = window30.count();
    if (valid < MIN_VALID_READINGS) {
      level10Bpm = null;
      level30Bpm = null;
      return null;
    }
    const median30 = window30.median();
    const median10 = window10.count() >= 3 ? window10.median() : median30;
    level10Bpm = median10;
    level30Bpm = median30;
    if (!withFeatures) {
      if (activityLag < REST_ACTIVITY && valid >= WINDOW_S / 2) updateBaseline(median30);
      return null;
    }

    const diffCount = diffs30.count();
    const medianAbsDiff = diffCount > 0 ? diffs30.median() : 0;
    const meanAbsDiff = diffCount > 0 ? diffs30.sum() / diffCount : 0;
    const bigJumps = diffs30.countAbove(BIG_JUMP_FRACTION * median30);
    const outlierBand = OUTLIER_FRACTION * median30;
    const outliers30 = window30.countBelow(median30 - outlierBand) + window30.countAbove(median30 + outlierBand);

    // Separate runs of outliers (excursions) in the last 60 s: ectopic bursts come back every several
    // seconds; a motion artifact or a glitch is one run. Missing readings neither start nor end a run.
    let excursions = 0;
    let wasOutlier = false;
    const largeBand = PULSE_DEFICIT_FRACTION * median30;
    let largeExcursions = 0;
    let wasLarge = false;
    for (let index = (head - filled + LONG_WINDOW_S) % LONG_WINDOW_S, left = filled; left > 0; left -= 1) {
      const value = bpmRing[index] as number;
      index = index + 1 === LONG_WINDOW_S ? 0 : index + 1;
      if (value <= 0) continue;
      const isOutlier = Math.abs(value - median30) > outlierBand;
      if (isOutlier && !wasOutlier) excursions += 1;
      wasOutlier = isOutlier;
      const isLarge = Math.abs(value - median30) > largeBand;
      if (isLarge && !wasLarge) largeExcursions += 1;
      wasLarge = isLarge;
    }

    largeExcursions60 = largeExcursions;
    if (activityLag < REST_ACTIVITY && valid >= WINDOW_S / 2) updateBaseline(median30);
    const baseline = baselineBpm ?? median30;
    const expectedBpm = baseline + Math.max(0, maxBpm - baseline) * Math.min(MAX_RESERVE_SHARE, activityLag / ACTIVITY_PER_RESERVE);

    features[0] = (median10 - baseline) / baseline;
    features[1] = (median30 - baseline) / baseline;
    features[2] = (median10 - ABSOLUTE_CENTRE_BPM) / ABSOLUTE_SCALE_BPM;
    features[3] = Math.log1p(activitySum30 / span30) / LOG_ACTIVITY_SCALE;
    features[4] = Math.log1p(activityLag) / LOG_ACTIVITY_SCALE;
    features[5] = Math.log1p(activityRecent) / LOG_ACTIVITY_SCALE;
    features[6] = (median10 - expectedBpm) / baseline;
    features[7] = (DIFF_SCALE * medianAbsDiff) / median30;
    features[8] = (DIFF_SCALE * meanAbsDiff) / median30;
    features[9] = outliers30 / valid;
    features[10] = excursions / EXCURSION_SCALE;
    features[11] = 1 - valid / span30;
    features[12] = diffCount > 0 ? bigJumps / diffCount : 0;
    features[13] = Math.min(1, restUpdates / BASELINE_CONFIDENT_UPDATES);
    return features;
  };

  return {
    push: (sample) => step(sample, true),
    observe: (sample) => void step(sample, false),
    state: () => ({ baselineBpm, restUpdates, level10Bpm, level30Bpm, validReadings30: window30.count(), activityLag, largeExcursions60 }),
  };
}
