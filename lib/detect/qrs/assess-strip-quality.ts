// Whether a strip can be read at all. Deliberately simple: two rules on numbers a reviewer can check
// by eye, tuned on the ECG simulator (lib/sim/ecg.ts), where every "noise" strip (a wrist recording
// taken while moving) fails them and no strip of another rhythm at noise levels up to 1 does.
import { computeMedian } from "./compute-median";
import type { TRPeak } from "./refine-r-peaks";
import type { TRhythmSummary } from "./summarize-rhythm";

export type TStripQuality = {
  /**
   * Median QRS amplitude (R peak against its local baseline) over the standard deviation of the ECG
   * outside the QRS complexes (P and T waves, wander, noise, artifacts), both on the 40 Hz low-passed
   * ECG. An amplitude ratio, not dB. Clean simulated strips score ~3.5-10, noisy-but-readable ones
   * (noise level 1) from ~2.6, strips of motion artifact below ~2.5. Absent when no beat was found.
   */
  signalToNoise?: number;
  usable: boolean;
};

// What counts as QRS rather than noise: +-120 ms around each R peak covers the widest (ventricular)
// complexes with their band-limited tails.
const QRS_HALF_WIDTH_S = 0.12;
// Below 2 the non-QRS part of the strip has half the QRS amplitude as its SD: motion artifact, loose
// contact or saturation dominates, and a reader could not tell QRS complexes from artifact either.
const MIN_SIGNAL_TO_NOISE = 2;
// Detections this irregular (RR coefficient of variation above 0.5, beyond the ~0.15-0.35 of AF's
// ventricular response) on a strip that is not clean are artifacts being counted as beats. A clean
// strip (SNR >= 4) with very irregular beats, such as sinus pauses, stays readable.
const MAX_RR_COEFFICIENT_OF_VARIATION = 0.5;
const IRREGULARITY_RULE_MAX_SIGNAL_TO_NOISE = 4;
// Noise SD floor: the 1 uV resolution strips are stored at (lib/sim/ecg-samples.ts), so that a synthetic
// strip with a perfectly flat baseline gets a large, finite ratio rather than Infinity (null in JSON).
const NOISE_FLOOR_MV = 0.001;
// A rate needs two beats.
const MIN_BEATS = 2;

export function assessStripQuality(options: {
  shape: Float64Array;
  rPeaks: readonly TRPeak[];
  rhythm: TRhythmSummary;
  sampleRateHz: number;
}): TStripQuality {
  const { shape, rPeaks, rhythm, sampleRateHz } = options;
  const length = shape.length;
  if (rPeaks.length === 0) return { usable: false };
  const halfWidth = Math.round(QRS_HALF_WIDTH_S * sampleRateHz);
  const isQrs = new Uint8Array(length);
  for (const peak of rPeaks) isQrs.fill(1, Math.max(0, peak.index - halfWidth), Math.min(length, peak.index + halfWidth + 1));
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  for (let index = 0; index < length; index += 1) {
    if (isQrs[index] === 1) continue;
    const value = shape[index] as number;
    sum += value;
    sumSquares += value * value;
    count += 1;
  }
  const noiseSdMv = count > 1 ? Math.sqrt(Math.max(0, sumSquares / count - (sum / count) ** 2)) : 0;
  const signalMv = computeMedian(rPeaks.map((peak) => peak.amplitudeMv));
  const signalToNoise = signalMv / Math.max(NOISE_FLOOR_MV, noiseSdMv);

  const rrCv = rhythm.rrCoefficientOfVariation;
  const isNoisy = signalToNoise < MIN_SIGNAL_TO_NOISE;
  const isArtifactRhythm = rrCv !== null && rrCv > MAX_RR_COEFFICIENT_OF_VARIATION && signalToNoise < IRREGULARITY_RULE_MAX_SIGNAL_TO_NOISE;
  return { signalToNoise, usable: rPeaks.length >= MIN_BEATS && !isNoisy && !isArtifactRhythm };
}
