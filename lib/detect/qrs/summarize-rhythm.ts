// Time-domain rhythm features of a strip's RR intervals: the heart rate shown to clinicians and the
// irregularity measures an AF detector starts from. Definitions follow the HRV Task Force (Circulation
// 93(5) 1996) where one exists. The intervals are used as detected: ectopic beats are not removed (the
// Task Force's NN intervals are normal-to-normal), because the irregularity they cause is itself a
// feature for telling ectopy from sinus rhythm.
import { computeMedian } from "./compute-median";

// pNN50's threshold: successive RR differences above 50 ms (Ewing et al. 1984; Task Force 1996).
const SUCCESSIVE_DIFFERENCE_THRESHOLD_S = 0.05;

export type TRhythmSummary = {
  rrCount: number;
  /** null without intervals, as are the other averages. */
  meanRrS: number | null;
  medianRrS: number | null;
  /** 60 / mean RR: the average rate over the strip, the figure to show for an irregular rhythm. */
  meanHeartRateBpm: number | null;
  /** 60 / median RR: robust to a missed or extra beat, the figure detectQrs reports as heartRateBpm. */
  medianHeartRateBpm: number | null;
  /** Sample standard deviation (n - 1) of the RR intervals; null with fewer than 2 intervals. */
  sdnnMs: number | null;
  /** Root mean square of successive RR differences; null with fewer than 2 intervals. */
  rmssdMs: number | null;
  /** SDNN / mean RR: scale-free irregularity; sinus rhythm at rest ~0.02-0.08, AF ~0.15-0.35. */
  rrCoefficientOfVariation: number | null;
  /** RMSSD / mean RR (Dash et al., Ann Biomed Eng 37(9) 2009): beat-to-beat irregularity, high in AF. */
  normalizedRmssd: number | null;
  /** Share (0-1) of successive RR differences above 50 ms; null with fewer than 2 intervals. */
  pnn50: number | null;
};

export function summarizeRhythm(options: { rrIntervalsS: readonly number[] }): TRhythmSummary {
  const { rrIntervalsS } = options;
  const rrCount = rrIntervalsS.length;
  const summary: TRhythmSummary = {
    rrCount,
    meanRrS: null,
    medianRrS: null,
    meanHeartRateBpm: null,
    medianHeartRateBpm: null,
    sdnnMs: null,
    rmssdMs: null,
    rrCoefficientOfVariation: null,
    normalizedRmssd: null,
    pnn50: null,
  };
  if (rrCount === 0) return summary;
  let sum = 0;
  for (const rr of rrIntervalsS) sum += rr;
  const meanRrS = sum / rrCount;
  const medianRrS = computeMedian(rrIntervalsS);
  summary.meanRrS = meanRrS;
  summary.medianRrS = medianRrS;
  summary.meanHeartRateBpm = 60 / meanRrS;
  summary.medianHeartRateBpm = 60 / medianRrS;
  if (rrCount < 2) return summary;

  let sumSquares = 0;
  let successiveSquares = 0;
  let largeDifferences = 0;
  for (let index = 0; index < rrCount; index += 1) {
    const rr = rrIntervalsS[index] as number;
    sumSquares += (rr - meanRrS) ** 2;
    if (index === 0) continue;
    const difference = rr - (rrIntervalsS[index - 1] as number);
    successiveSquares += difference * difference;
    if (Math.abs(difference) > SUCCESSIVE_DIFFERENCE_THRESHOLD_S) largeDifferences += 1;
  }
  const sdnnS = Math.sqrt(sumSquares / (rrCount - 1));
  const rmssdS = Math.sqrt(successiveSquares / (rrCount - 1));
  summary.sdnnMs = 1000 * sdnnS;
  summary.rmssdMs = 1000 * rmssdS;
  summary.rrCoefficientOfVariation = sdnnS / meanRrS;
  summary.normalizedRmssd = rmssdS / meanRrS;
  summary.pnn50 = largeDifferences / (rrCount - 1);
  return summary;
}
