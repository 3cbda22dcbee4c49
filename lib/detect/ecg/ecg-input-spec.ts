import { BEAT_FEATURE_NAMES } from "./extract-beat-features";

// The fixed input the ECG model sees, whatever the device recorded. 125 Hz keeps the QRS (energy up to
// ~40 Hz on a wrist lead) and still halves the device's 250 Hz exactly; 30 s is the strip the watch
// records on request (DESIGN.md) and holds 17+ beats even at 35 bpm, enough for a rhythm verdict.
export const MODEL_SAMPLE_RATE_HZ = 125;
export const MODEL_DURATION_S = 30;
export const MODEL_INPUT_LENGTH = MODEL_SAMPLE_RATE_HZ * MODEL_DURATION_S;

// Accepted recordings. The rate range is the QRS detector's (lib/detect/qrs); strips from 9 s are
// classified (zero-padded: the model sees a flat baseline after the recording) and longer ones are cut
// to their last 30 s, the part closest to the moment tier 1 escalated. Beyond 120 s a request is not a
// strip but a mistake or an attack on the worker pool's memory.
export const MIN_INPUT_SAMPLE_RATE_HZ = 100;
export const MAX_INPUT_SAMPLE_RATE_HZ = 1000;
// 9 s: the shortest AliveCor recording in the CinC 2017 set, the real single-lead data the model learns from.
export const MIN_INPUT_DURATION_S = 9;
export const MAX_INPUT_DURATION_S = 120;

/** The rhythm features fed beside the raw signal, in this order (see extract-rr-features.ts). */
export const RR_FEATURE_NAMES = [
  "medianHeartRate",
  "meanHeartRate",
  "rrCoefficientOfVariation",
  "normalizedRmssd",
  "pnn50",
  "beatRate",
  "prematureShare",
  "shortLongShare",
  "logSignalToNoise",
  "isUsable",
  "hasRhythm",
  "rrInterquartileShare",
  "medianSuccessiveDifferenceShare",
  ...BEAT_FEATURE_NAMES,
] as const;
export const RR_FEATURE_COUNT = RR_FEATURE_NAMES.length;

/** Sample values after normalisation are clipped to this many robust amplitudes (rails, electrode pops). */
export const NORMALIZED_CLIP = 8;
