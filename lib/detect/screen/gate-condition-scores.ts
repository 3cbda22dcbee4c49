// Clinical gating of the model's condition probabilities, after the model and before the score. The
// model learned every condition from the simulator, whose sinus rhythm is steadier than real hearts:
// on 1 Hz rate derived from MIT-BIH's tuning patients, the 1.0.0 screen flagged ordinary sinus swings
// of 5-10 bpm several times an hour, as bradycardia, resting tachycardia or ectopy (npm run eval:screen
// -- --split tune --debug). Each gate takes probability from one condition and gives it to "none", so
// the window's suspicion (1 - P(none)) falls with it. AF is never gated.
//
// Rate conditions. Bradycardia and resting tachycardia are defined by the absolute rate, not by a change
// from the patient's baseline: a score for either while the current level is inside the normal range is
// a baseline swing, not an event.
//
// Ectopy. A wrist stream averaged over ~5 s cannot see a single premature beat (the compensatory pause
// cancels it); what it can see is a lost pulse, a dip of about a fifth of the rate, coming back every
// few seconds. A window counts as ectopic only with at least ECTOPY_MIN_LARGE_EXCURSIONS such dips or
// spikes (PULSE_DEFICIT_FRACTION off the 30 s median) in the last minute.
import { BRADYCARDIA_BELOW_BPM, TACHYCARDIA_ABOVE_BPM } from "../rate-definitions";
import { SCREEN_CLASSES } from "./screen-model";

/**
 * Inside the normal range a rate condition's probability fades out linearly over this many bpm (whole
 * at the limit, none this far inside), so an episode crossing the limit is not cut at one reading, and
 * the 10 s median, which lags the true rate by a few seconds, still counts near it.
 */
export const RATE_GATE_MARGIN_BPM = 5;
/** Pulse-deficit-sized excursions in the last 60 s before ectopy counts at all (tuned on the tune half). */
export const ECTOPY_MIN_LARGE_EXCURSIONS = 2;

const NONE_INDEX = SCREEN_CLASSES.indexOf("none");
const TACHYCARDIA_INDEX = SCREEN_CLASSES.indexOf("tachycardia_rest");
const BRADYCARDIA_INDEX = SCREEN_CLASSES.indexOf("bradycardia");
const ECTOPY_INDEX = SCREEN_CLASSES.indexOf("ectopic_burst");

/** 1 at or beyond the limit, 0 at RATE_GATE_MARGIN_BPM inside the normal range, linear between. */
function fadeInside(distanceInsideBpm: number): number {
  return Math.max(0, Math.min(1, 1 - distanceInsideBpm / RATE_GATE_MARGIN_BPM));
}

/** Keeps `share` of one class's probability and moves the rest to "none". */
function keepShare(probabilities: Float64Array, index: number, share: number): void {
  const probability = probabilities[index] as number;
  const kept = probability * share;
  probabilities[index] = kept;
  probabilities[NONE_INDEX] = (probabilities[NONE_INDEX] as number) + (probability - kept);
}

/**
 * Gates the model's probabilities (SCREEN_CLASSES order) in place, allocation-free, and returns them.
 * `levelBpm` is the current level (median of the last 10 s), `largeExcursions60` the runs of readings
 * off the 30 s median by more than PULSE_DEFICIT_FRACTION in the last 60 s.
 */
export function gateConditionScores(options: { probabilities: Float64Array; levelBpm: number; largeExcursions60: number }): Float64Array {
  const { probabilities, levelBpm, largeExcursions60 } = options;
  keepShare(probabilities, BRADYCARDIA_INDEX, fadeInside(levelBpm - BRADYCARDIA_BELOW_BPM));
  keepShare(probabilities, TACHYCARDIA_INDEX, fadeInside(TACHYCARDIA_ABOVE_BPM - levelBpm));
  keepShare(probabilities, ECTOPY_INDEX, largeExcursions60 >= ECTOPY_MIN_LARGE_EXCURSIONS ? 1 : 0);
  return probabilities;
}
