// What a watch's ECG would show in a given simulated state: the simulated ground truth (the episode, if
// any) and the heart rate the watch measured. Used by the virtual watch when asked for a strip.
import { ECG_RHYTHM_HEART_RATE_RANGES_BPM, type TEcgRhythm } from "./ecg-rhythms";
import type { TEpisodeType } from "./episodes";

const EPISODE_RHYTHM: Partial<Record<TEpisodeType, TEcgRhythm>> = {
  tachycardia_rest: "tachycardia",
  bradycardia: "bradycardia",
  afib: "atrial_fibrillation",
  ectopic_burst: "ventricular_ectopy",
};

/**
 * Outside a clinical episode the heart is in sinus rhythm at whatever rate it has: a workout or a run up
 * the stairs above 100 bpm is sinus tachycardia, deep sleep below 50 sinus bradycardia (the strip alone
 * cannot tell them from disease; the cascade uses the screen's context for that). A sensor glitch is
 * in the optical heart-rate sensor, not in the heart: the ECG electrodes record a normal rhythm.
 */
export function getEcgRhythmForState(options: { truth: TEpisodeType | null; bpm: number }): { rhythm: TEcgRhythm; heartRateBpm: number } {
  const { truth, bpm } = options;
  const rhythm = (truth && EPISODE_RHYTHM[truth]) ?? (bpm > 105 ? "tachycardia" : bpm > 0 && bpm < 48 ? "bradycardia" : "normal_sinus");
  const range = ECG_RHYTHM_HEART_RATE_RANGES_BPM[rhythm];
  const heartRateBpm = Math.min(range.maxBpm, Math.max(range.minBpm, bpm > 0 ? bpm : (range.minBpm + range.maxBpm) / 2));
  return { rhythm, heartRateBpm };
}
