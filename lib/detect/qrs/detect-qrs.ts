// QRS detection on a single-lead ECG strip, of the Pan-Tompkins family (Pan and Tompkins, IEEE TBME
// 32(3) 1985, with Hamilton and Tompkins, IEEE TBME 33(12) 1986): 5-15 Hz band-pass, derivative,
// squaring and 150 ms moving-window integration (preprocess-ecg.ts); one candidate per hump of the
// integrated signal (find-peak-candidates.ts); adaptive SPKI/NPKI thresholds, searchback at 166 % of
// the RR average, a 200 ms refractory period and T-wave rejection by slope within 360 ms
// (select-qrs-peaks.ts); each detection moved to its R peak (refine-r-peaks.ts); a usability verdict
// (assess-strip-quality.ts).
//
// The strip is processed as a whole, not sample by sample as the original real-time design: every
// filter runs forwards and backwards (zero phase), so no filter delay has to be subtracted from the
// beat times, and the thresholds learn from the whole strip rather than from its first 2 s.
//
// A QRS cut by either end of the strip (its R peak within ~30 ms of the first or last sample) may be
// missed, and one whose R peak lies just outside may be reported on its visible part.
import { z } from "zod";
import { assessStripQuality, type TStripQuality } from "./assess-strip-quality";
import { findPeakCandidates } from "./find-peak-candidates";
import { preprocessEcg } from "./preprocess-ecg";
import { refineRPeaks } from "./refine-r-peaks";
import { REFRACTORY_S, selectQrsPeaks } from "./select-qrs-peaks";
import { summarizeRhythm } from "./summarize-rhythm";

/** The rates the filters are designed and tested for: 100 Hz keeps the 15 Hz band edge well inside Nyquist. */
export const MIN_QRS_SAMPLE_RATE_HZ = 100;
export const MAX_QRS_SAMPLE_RATE_HZ = 1000;

export const ZDetectQrsOptionsSchema = z.object({
  /** Millivolts. Non-finite samples (gaps) hold the last finite value. */
  samples: z.custom<Float32Array | number[]>((value) => value instanceof Float32Array || Array.isArray(value), "Expected a Float32Array or an array of numbers"),
  sampleRateHz: z.number().min(MIN_QRS_SAMPLE_RATE_HZ).max(MAX_QRS_SAMPLE_RATE_HZ),
});
export type TDetectQrsOptions = z.infer<typeof ZDetectQrsOptionsSchema>;

export type TQrsDetection = {
  /** R-peak times in seconds from the first sample, interpolated between samples; ascending. */
  beatTimesS: number[];
  /** The sample nearest each R peak: beatTimesS[i] is within half a sample of beatIndexes[i] / sampleRateHz. */
  beatIndexes: number[];
  /** beatTimesS[i + 1] - beatTimesS[i]; one fewer than the beats. */
  rrIntervalsS: number[];
  /** 60 / median RR: a missed or an extra beat barely moves it. null with fewer than 2 beats. */
  heartRateBpm: number | null;
  quality: TStripQuality;
};

export function detectQrs(options: TDetectQrsOptions): TQrsDetection {
  const { samples, sampleRateHz } = ZDetectQrsOptionsSchema.parse(options);
  const signals = preprocessEcg({ samples, sampleRateHz });
  const refractory = Math.round(REFRACTORY_S * sampleRateHz);
  const candidates = findPeakCandidates({ signal: signals.integrated, separation: refractory, maxHumpSpan: signals.integrationWindow });
  const peaks = selectQrsPeaks({
    candidates,
    integrated: signals.integrated,
    derivative: signals.derivative,
    integrationWindow: signals.integrationWindow,
    sampleRateHz,
  });
  const rPeaks = refineRPeaks({ peaks, shape: signals.shape, sampleRateHz, refractory });
  const beatIndexes = rPeaks.map((peak) => peak.index);
  const beatTimesS = rPeaks.map((peak) => peak.position / sampleRateHz);
  const rrIntervalsS = beatTimesS.slice(1).map((timeS, index) => timeS - (beatTimesS[index] as number));
  const rhythm = summarizeRhythm({ rrIntervalsS });
  return {
    beatTimesS,
    beatIndexes,
    rrIntervalsS,
    heartRateBpm: rhythm.medianHeartRateBpm,
    quality: assessStripQuality({ shape: signals.shape, rPeaks, rhythm, sampleRateHz }),
  };
}
