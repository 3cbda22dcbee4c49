// The decision stage of Pan and Tompkins (IEEE TBME 32(3) 1985) on the integrated signal: adaptive
// signal and noise peak levels, a threshold between them, searchback for missed beats and T-wave
// discrimination. The paper's second, parallel threshold set on the band-passed signal is left out:
// Hamilton and Tompkins (IEEE TBME 33(12) 1986) found the integrated signal alone detects as well.
//
// Peak levels and thresholds are kept on the square root of the integrated signal (an RMS slope, which
// scales with the QRS amplitude) rather than on the integrated energy itself. On energy, a beat of half
// the slope of its neighbours weighs a quarter, so in ventricular bigeminy (MIT-BIH 228) or with
// aberrant beats (201) the narrow normal beats fell under THRESHOLD I1 = NPKI + 1/4 (SPKI - NPKI) set by
// the large ectopic ones, and once every normal beat was missed the RR average followed the ectopic
// beats and searchback never looked for them. On 30 s MIT-BIH strips at 125 Hz (npm run eval:qrs) this
// cut missed beats from 701 to 108 of 87,094 for 174 more false positives (sensitivity 0.9920 to
// 0.9988, positive predictivity 0.9987 to 0.9967).
import { computeMedian } from "./compute-median";
import type { TPeakCandidate } from "./find-peak-candidates";

/** No two QRS complexes within 200 ms: the ventricles' absolute refractory period (Pan and Tompkins). */
export const REFRACTORY_S = 0.2;
// A candidate within 360 ms of the last QRS whose steepest slope is under half of that QRS's is taken
// for its T wave (Pan and Tompkins). Slopes are measured over the integration window around each peak.
const T_WAVE_WINDOW_S = 0.36;
const T_WAVE_SLOPE_RATIO = 0.5;
// Peak levels are running averages: a detected QRS moves SPKI by 1/8 of the way to its peak, one found
// by searchback by 1/4, a noise peak moves NPKI by 1/8 (Pan and Tompkins).
const PEAK_LEVEL_WEIGHT = 0.125;
const SEARCHBACK_PEAK_LEVEL_WEIGHT = 0.25;
// THRESHOLD I1 = NPKI + 1/4 (SPKI - NPKI); THRESHOLD I2, used in searchback, is half of it.
const THRESHOLD_SHARE = 0.25;
const SEARCHBACK_THRESHOLD_RATIO = 0.5;
// RR AVERAGE 2 averages the last 8 RR intervals within 92-116 % of it; when no beat follows the last one
// within 166 % of it (RR MISSED LIMIT), the largest peak since is searched for (Pan and Tompkins).
const RR_HISTORY = 8;
const RR_REGULAR_RANGE: readonly [number, number] = [0.92, 1.16];
const RR_MISSED_LIMIT_RATIO = 1.66;
// The learning phase: the initial signal level is the median of the largest integrated value in each
// 2 s window (every such window holds a beat at rates above 30 bpm, and the median shrugs off an
// artifact or two); the initial noise level is the median of the whole integrated signal, which lies
// between beats. Pan and Tompkins learn from the first 2 s only, which a single artifact can spoil.
const LEARNING_WINDOW_S = 2;

type TQrsDecisionState = {
  signalLevel: number;
  noiseLevel: number;
  qrsIndexes: number[];
  lastSlope: number;
  recentRr: number[];
  regularRr: number[];
  /** Beats since regularRr last took an interval; when it reaches RR_HISTORY the average is stale. */
  beatsSinceRegular: number;
  /** Candidates since the last QRS that were taken for noise, for searchback. */
  noisePeaks: TPeakCandidate[];
};

function getMean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

function getLearnedSignalLevel(integrated: Float64Array, windowLength: number): number {
  const maxima: number[] = [];
  for (let start = 0; start < integrated.length; start += windowLength) {
    // A short tail window might hold no beat; it joins the previous one.
    if (start > 0 && integrated.length - start < windowLength / 2) break;
    let maximum = 0;
    const end = Math.min(integrated.length, start + windowLength);
    for (let index = start; index < end; index += 1) maximum = Math.max(maximum, integrated[index] as number);
    maxima.push(maximum);
  }
  return computeMedian(maxima);
}

/** The candidates taken for QRS complexes, in time order; their heights are on the root scale (see above). */
export function selectQrsPeaks(options: {
  candidates: readonly TPeakCandidate[];
  integrated: Float64Array;
  derivative: Float64Array;
  integrationWindow: number;
  sampleRateHz: number;
}): TPeakCandidate[] {
  const { derivative, integrationWindow, sampleRateHz } = options;
  const integrated = options.integrated.map(Math.sqrt);
  const candidates = options.candidates.map((peak) => ({ index: peak.index, height: Math.sqrt(peak.height) }));
  const length = integrated.length;
  const refractory = Math.round(REFRACTORY_S * sampleRateHz);
  const tWaveWindow = Math.round(T_WAVE_WINDOW_S * sampleRateHz);
  const halfWindow = Math.floor(integrationWindow / 2);
  const accepted: TPeakCandidate[] = [];
  if (candidates.length === 0) return accepted;

  const state: TQrsDecisionState = {
    signalLevel: getLearnedSignalLevel(integrated, Math.round(LEARNING_WINDOW_S * sampleRateHz)),
    noiseLevel: computeMedian(integrated),
    qrsIndexes: [],
    lastSlope: 0,
    recentRr: [],
    regularRr: [],
    beatsSinceRegular: 0,
    noisePeaks: [],
  };
  const getThreshold = () => state.noiseLevel + THRESHOLD_SHARE * (state.signalLevel - state.noiseLevel);

  const getSlope = (index: number) => {
    let slope = 0;
    const end = Math.min(length - 1, index + halfWindow);
    for (let at = Math.max(0, index - halfWindow); at <= end; at += 1) slope = Math.max(slope, Math.abs(derivative[at] as number));
    return slope;
  };
  const getLastQrs = () => state.qrsIndexes.at(-1);
  const isTWave = (peak: TPeakCandidate) => {
    const last = getLastQrs();
    return last !== undefined && peak.index - last < tWaveWindow && getSlope(peak.index) < T_WAVE_SLOPE_RATIO * state.lastSlope;
  };

  const acceptQrs = (peak: TPeakCandidate, isSearchback: boolean) => {
    const weight = isSearchback ? SEARCHBACK_PEAK_LEVEL_WEIGHT : PEAK_LEVEL_WEIGHT;
    state.signalLevel += weight * (peak.height - state.signalLevel);
    const last = getLastQrs();
    if (last !== undefined) {
      const rr = peak.index - last;
      state.recentRr.push(rr);
      if (state.recentRr.length > RR_HISTORY) state.recentRr.shift();
      const reference = state.regularRr.length > 0 ? getMean(state.regularRr) : rr;
      if (rr >= RR_REGULAR_RANGE[0] * reference && rr <= RR_REGULAR_RANGE[1] * reference) {
        state.regularRr.push(rr);
        if (state.regularRr.length > RR_HISTORY) state.regularRr.shift();
        state.beatsSinceRegular = 0;
      } else {
        state.beatsSinceRegular += 1;
      }
    }
    state.qrsIndexes.push(peak.index);
    state.lastSlope = getSlope(peak.index);
    state.noisePeaks = [];
    accepted.push(peak);
  };

  // RR AVERAGE 2 while it is current; in an irregular rhythm (AF) few intervals fall in its range and it
  // goes stale, so after RR_HISTORY beats without a regular interval the plain average of the last 8
  // (RR AVERAGE 1) takes over.
  const getMissedLimit = () => {
    if (state.recentRr.length === 0) return Number.POSITIVE_INFINITY;
    const isRegularCurrent = state.regularRr.length > 0 && state.beatsSinceRegular < RR_HISTORY;
    return RR_MISSED_LIMIT_RATIO * getMean(isRegularCurrent ? state.regularRr : state.recentRr);
  };

  // Looks for beats missed between the last QRS and `until`: while that gap exceeds RR MISSED LIMIT,
  // the largest noise peak in it above THRESHOLD I2 (and not a T wave) becomes a QRS.
  const searchBack = (until: number, latestIndex: number) => {
    for (;;) {
      const last = getLastQrs();
      if (last === undefined || until - last <= getMissedLimit()) return;
      const threshold = SEARCHBACK_THRESHOLD_RATIO * getThreshold();
      let best: TPeakCandidate | undefined;
      for (const peak of state.noisePeaks) {
        if (peak.index - last < refractory || peak.index > latestIndex || peak.height <= threshold) continue;
        if ((best === undefined || peak.height > best.height) && !isTWave(peak)) best = peak;
      }
      if (best === undefined) return;
      const found = best;
      const rest = state.noisePeaks.filter((peak) => peak.index > found.index);
      acceptQrs(found, true);
      state.noisePeaks = rest;
    }
  };

  for (const peak of candidates) {
    searchBack(peak.index, peak.index - refractory);
    const last = getLastQrs();
    const isRefractory = last !== undefined && peak.index - last < refractory;
    if (!isRefractory && peak.height > getThreshold() && !isTWave(peak)) {
      acceptQrs(peak, false);
    } else {
      state.noiseLevel += PEAK_LEVEL_WEIGHT * (peak.height - state.noiseLevel);
      state.noisePeaks.push(peak);
    }
  }
  searchBack(length, length);
  return accepted;
}
