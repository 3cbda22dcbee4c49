// Ground-truth episodes the heart-rate simulator can play. Clinical episodes are what the detector must
// find; benign look-alikes raise the heart rate (or break the signal) too and must not alarm. Tier 1
// sees the activity count beside the heart rate, so every look-alike carries the activity context a
// real one would: exercise is high activity, an arrhythmia at rest is low activity, a loose watch is ~0.
import { z } from "zod";

export const CLINICAL_EPISODE_TYPES = ["tachycardia_rest", "bradycardia", "afib", "ectopic_burst"] as const;
export const BENIGN_EPISODE_TYPES = ["stairs", "workout", "sensor_glitch"] as const;
export const EPISODE_TYPES = [...CLINICAL_EPISODE_TYPES, ...BENIGN_EPISODE_TYPES] as const;

export const ZEpisodeTypeSchema = z.enum(EPISODE_TYPES);
export type TEpisodeType = z.infer<typeof ZEpisodeTypeSchema>;
export type TClinicalEpisodeType = (typeof CLINICAL_EPISODE_TYPES)[number];
export type TBenignEpisodeType = (typeof BENIGN_EPISODE_TYPES)[number];

const CLINICAL_TYPE_SET: ReadonlySet<TEpisodeType> = new Set(CLINICAL_EPISODE_TYPES);

export function isClinicalEpisode(type: TEpisodeType): type is TClinicalEpisodeType {
  return CLINICAL_TYPE_SET.has(type);
}

// Clinical definitions the generated values are placed against.
/** Tachycardia: heart rate > 100 bpm at rest (ACC/AHA/HRS 2015 SVT guideline; sinus tachycardia). */
export const TACHYCARDIA_MIN_BPM = 100;
/**
 * Bradycardia: < 50 bpm at rest in awake adults (ACC/AHA/HRS 2018 bradycardia guideline lowered the
 * classic < 60); rates near 40 during sleep or in athletes can be normal, so simulated episodes sit at
 * 30-45 bpm, clearly below both.
 */
export const BRADYCARDIA_MAX_BPM = 50;

/**
 * Ranges each episode's own parameters are drawn from. Where the numbers come from:
 * - tachycardia_rest: SVT / sinus tachycardia at rest typically 120-170 bpm (above the > 100 definition
 *   with margin); onset of a paroxysm over seconds, here 10-30 s to include sinus tachycardia ramps.
 * - bradycardia: 30-45 bpm, below the 50 bpm awake threshold and below normal sleep rates.
 * - afib: atrial fibrillation with rapid ventricular response, mean 100-160 bpm (2023 ACC/AHA/ACCP/HRS AF
 *   guideline treats resting rates > 100-110 as uncontrolled). RR intervals are irregularly irregular; a
 *   1 Hz watch stream shows this as large second-to-second jitter, SD 10-20 bpm, versus ~1-3 bpm in sinus
 *   rhythm.
 * - ectopic_burst: premature beats (PVC/PAC). A premature beat followed by a compensatory pause, or a
 *   beat too weak to produce a pulse wave (pulse deficit on PPG), shows as a 1-3 s spike or dip of
 *   20-40 % in the averaged rate; repeated every several seconds during the episode.
 * - stairs: climbing a few floors raises heart rate by roughly 25-45 bpm within 1-2 minutes.
 * - workout: moderate-to-vigorous exercise at 70-85 % of HRmax (ACSM: moderate 64-76 %, vigorous
 *   77-95 %), with warm-up and cool-down. HRmax defaults to 220 - age (Fox 1971).
 * - sensor_glitch: optical sensor losing contact: 0 (no reading) or implausible spikes (200+) for 1-3 s
 *   at a time, with the wrist still (a loose or removed watch).
 */
export const EPISODE_PARAMETERS = {
  tachycardia_rest: { targetBpm: [120, 170], onsetS: [10, 30], offsetS: [5, 30] },
  bradycardia: { targetBpm: [30, 45], onsetS: [10, 30], offsetS: [10, 30] },
  afib: { meanBpm: [100, 160], jitterSdBpm: [10, 20], onsetS: [2, 10], offsetS: [2, 10] },
  ectopic_burst: { burstLengthS: [1, 3], burstChangeFraction: [0.2, 0.4], meanSecondsBetweenBursts: [6, 20] },
  stairs: { riseBpm: [25, 45], activity: [350, 550] },
  workout: { peakFractionOfMax: [0.7, 0.85], activity: [550, 850], warmUpS: [300, 600], coolDownS: [180, 480] },
  sensor_glitch: { runLengthS: [1, 3], spikeBpm: [200, 250] },
} as const;

/**
 * Durations the random scenario draws from: clinical episodes last at least 60 s (shorter runs are not
 * "sustained"), typically 2-20 min; stairs 1-2 min; workouts 20-60 min; glitches a few seconds.
 */
export const EPISODE_DURATION_RANGE_S: Record<TEpisodeType, { minS: number; typicalS: number; maxS: number }> = {
  tachycardia_rest: { minS: 60, typicalS: 300, maxS: 1200 },
  bradycardia: { minS: 60, typicalS: 360, maxS: 1200 },
  afib: { minS: 120, typicalS: 600, maxS: 1800 },
  ectopic_burst: { minS: 60, typicalS: 240, maxS: 900 },
  stairs: { minS: 60, typicalS: 90, maxS: 120 },
  workout: { minS: 1200, typicalS: 2400, maxS: 3600 },
  sensor_glitch: { minS: 2, typicalS: 4, maxS: 8 },
};

export const ZEpisodeSchema = z.strictObject({
  type: ZEpisodeTypeSchema,
  /** Seconds from the start of the stream. */
  startS: z.number().int().min(0),
  durationS: z.number().int().min(1),
});
export type TEpisode = z.infer<typeof ZEpisodeSchema>;

/** Episodes of one patient: a stream is in at most one episode at a time, so overlaps are refused. */
export const ZEpisodeListSchema = z.array(ZEpisodeSchema).superRefine((episodes, context) => {
  const order = episodes.map((_, index) => index).sort((a, b) => episodes[a]!.startS - episodes[b]!.startS);
  for (let position = 1; position < order.length; position += 1) {
    const previous = episodes[order[position - 1]!]!;
    const index = order[position]!;
    if (episodes[index]!.startS < previous.startS + previous.durationS) {
      context.addIssue({
        code: "custom",
        path: [index, "startS"],
        message: `overlaps the ${previous.type} episode at ${previous.startS} s (until ${previous.startS + previous.durationS} s)`,
      });
    }
  }
});
