// The rhythm features of the second model input, from the Pan-Tompkins detector (lib/detect/qrs).
//
// Why a second input beside the raw-signal CNN: three of the six classes are defined by the rate
// (tachycardia > 100 bpm, bradycardia < 50 bpm, sinus in between), and AF by RR irregularity over the
// whole strip. A small CNN with global pooling sees local shapes well (a wide PVC complex, missing P
// waves, artifacts) but cannot count beats over 30 s reliably; the detector does exactly that, costs
// ~2 ms at 125 Hz, and its outputs are the numbers a clinician would check. Each feature is scaled
// to roughly 0..2 so no input dominates the first dense layer.
import { detectQrs, summarizeRhythm } from "../qrs";
import { BEAT_FEATURE_NAMES, extractBeatFeatures } from "./extract-beat-features";
import { RR_FEATURE_COUNT } from "./ecg-input-spec";

/** The features computed here; extractBeatFeatures fills the rest (RR_FEATURE_NAMES). */
const BASE_FEATURE_COUNT = RR_FEATURE_COUNT - BEAT_FEATURE_NAMES.length;

// A beat this much earlier than the strip's median RR is premature; after it, a pause this much longer
// than the median is the compensatory pause of a PVC. AF makes both common and unpaired; sinus rhythm
// (RR SD of a few percent) almost never crosses either.
const PREMATURE_RR_SHARE = 0.85;
const PAUSE_RR_SHARE = 1.15;
const RATE_SCALE_BPM = 100;
const MAX_FEATURE = 4;

const clip = (value: number) => Math.min(MAX_FEATURE, Math.max(-MAX_FEATURE, value));

/** RR_FEATURE_NAMES in order, for a strip in millivolts at a rate detectQrs accepts. */
export function extractRrFeatures(options: { samples: Float32Array; sampleRateHz: number }): Float32Array {
  return extractRhythm(options).features;
}

/** The quantile (linear interpolation) of values already sorted ascending. */
function sortedQuantile(sorted: readonly number[], share: number): number {
  const position = share * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
}

/** The RR features and the strip's median heart rate (null with fewer than two beats), from one detection. */
export function extractRhythm(options: { samples: Float32Array; sampleRateHz: number }): { features: Float32Array; heartRateBpm: number | null } {
  const { samples, sampleRateHz } = options;
  const features = new Float32Array(RR_FEATURE_COUNT);
  const detection = detectQrs({ samples, sampleRateHz });
  const rhythm = summarizeRhythm({ rrIntervalsS: detection.rrIntervalsS });
  const durationS = samples.length / sampleRateHz;
  const rr = detection.rrIntervalsS;
  let premature = 0;
  let shortLong = 0;
  if (rhythm.medianRrS !== null) {
    const median = rhythm.medianRrS;
    for (let index = 0; index < rr.length; index += 1) {
      const current = rr[index] as number;
      if (current >= PREMATURE_RR_SHARE * median) continue;
      premature += 1;
      const next = rr[index + 1];
      if (next !== undefined && next > PAUSE_RR_SHARE * median) shortLong += 1;
    }
  }
  const snr = detection.quality.signalToNoise;
  features[0] = clip((rhythm.medianHeartRateBpm ?? 0) / RATE_SCALE_BPM);
  features[1] = clip((rhythm.meanHeartRateBpm ?? 0) / RATE_SCALE_BPM);
  features[2] = clip((rhythm.rrCoefficientOfVariation ?? 0) * 4);
  features[3] = clip((rhythm.normalizedRmssd ?? 0) * 4);
  features[4] = rhythm.pnn50 ?? 0;
  features[5] = clip((60 * detection.beatTimesS.length) / durationS / RATE_SCALE_BPM);
  features[6] = rr.length > 0 ? premature / rr.length : 0;
  features[7] = rr.length > 1 ? shortLong / (rr.length - 1) : 0;
  features[8] = snr === undefined ? -1 : clip(Math.log10(Math.max(0.1, snr)));
  features[9] = detection.quality.usable ? 1 : 0;
  features[10] = rhythm.rrCount >= 2 ? 1 : 0;
  // AF's irregularity in two robust forms, added for real recordings, where a single missed or extra beat
  // (common on a hand-held lead) inflates the coefficient of variation and RMSSD of a sinus strip but
  // barely moves a median or an interquartile range.
  if (rhythm.medianRrS !== null && rr.length >= 3) {
    const sorted = Array.from(rr).sort((a, b) => a - b);
    features[11] = clip((4 * (sortedQuantile(sorted, 0.75) - sortedQuantile(sorted, 0.25))) / rhythm.medianRrS);
    const differences: number[] = [];
    for (let index = 1; index < rr.length; index += 1) differences.push(Math.abs((rr[index] as number) - (rr[index - 1] as number)));
    differences.sort((a, b) => a - b);
    features[12] = clip((4 * sortedQuantile(differences, 0.5)) / rhythm.medianRrS);
  }
  features.set(extractBeatFeatures({ samples, sampleRateHz, beatIndexes: detection.beatIndexes, rrIntervalsS: rr }), BASE_FEATURE_COUNT);
  return { features, heartRateBpm: rhythm.medianHeartRateBpm };
}
