import { computeMedian } from "./compute-median";
import type { TPeakCandidate } from "./find-peak-candidates";

// How far from the integrated peak the R peak is looked for. The integration is centred, so its peak
// sits near the middle of the QRS energy, and the R peak of even a wide ventricular complex lies well
// within +-100 ms of it.
const R_PEAK_SEARCH_S = 0.1;
// The local baseline is the median over +-250 ms: mostly isoelectric even at 170 bpm, where the QRS
// takes ~80 ms of it, and robust to the QRS itself and to respiratory wander.
const BASELINE_HALF_WINDOW_S = 0.25;

export type TRPeak = {
  index: number;
  /** Fractional sample position of the peak. */
  position: number;
  /** Height of the R peak above (or depth below) the local baseline, mV. */
  amplitudeMv: number;
  /** Height of the integrated peak the beat was detected on. */
  weight: number;
};

/**
 * Moves each detected QRS to its R peak: the sample of the 40 Hz low-passed ECG farthest from the
 * local baseline within +-R_PEAK_SEARCH_S. Farthest in either direction, because the main deflection of
 * an inverted ventricular beat, or of a lead with a QS complex, is negative. The position is refined to
 * a fraction of a sample by a parabola through the peak and its neighbours, which keeps RR intervals of
 * 100 Hz strips from being quantised to 10 ms. A peak on the strip's first or last sample means the R
 * wave lies outside the strip, and that beat is dropped. Two detections that land within the refractory
 * period of each other are one beat; the one with the larger integrated peak is kept.
 */
export function refineRPeaks(options: {
  peaks: readonly TPeakCandidate[];
  shape: Float64Array;
  sampleRateHz: number;
  refractory: number;
}): TRPeak[] {
  const { peaks, shape, sampleRateHz, refractory } = options;
  const length = shape.length;
  const reach = Math.round(R_PEAK_SEARCH_S * sampleRateHz);
  const baselineReach = Math.round(BASELINE_HALF_WINDOW_S * sampleRateHz);
  const refined: TRPeak[] = [];
  for (const peak of peaks) {
    const baseline = computeMedian(shape.subarray(Math.max(0, peak.index - baselineReach), Math.min(length, peak.index + baselineReach + 1)));
    const getMagnitude = (index: number) => Math.abs((shape[index] as number) - baseline);
    let best = peak.index;
    let bestMagnitude = -1;
    const end = Math.min(length - 1, peak.index + reach);
    for (let index = Math.max(0, peak.index - reach); index <= end; index += 1) {
      const magnitude = getMagnitude(index);
      if (magnitude > bestMagnitude) {
        bestMagnitude = magnitude;
        best = index;
      }
    }
    if (best === 0 || best === length - 1) continue;
    const left = getMagnitude(best - 1);
    const right = getMagnitude(best + 1);
    const curvature = left - 2 * bestMagnitude + right;
    const position = curvature < 0 ? best + (0.5 * (left - right)) / curvature : best;
    const previous = refined.at(-1);
    if (previous !== undefined && best - previous.index < refractory) {
      if (peak.height > previous.weight) refined[refined.length - 1] = { index: best, position, amplitudeMv: bestMagnitude, weight: peak.height };
      continue;
    }
    refined.push({ index: best, position, amplitudeMv: bestMagnitude, weight: peak.height });
  }
  return refined;
}
