import { z } from "zod";

/** The strip classes tier 2 distinguishes; a simulated strip is generated for exactly one of them. */
export const ECG_RHYTHMS = ["normal_sinus", "atrial_fibrillation", "tachycardia", "bradycardia", "ventricular_ectopy", "noise"] as const;
export const ZEcgRhythmSchema = z.enum(ECG_RHYTHMS);
export type TEcgRhythm = z.infer<typeof ZEcgRhythmSchema>;

/**
 * Mean ventricular rate drawn when the caller gives none. Sinus 60-100 and the tachycardia (> 100) and
 * bradycardia thresholds are the conventional adult definitions; bradycardia is drawn below 50 (the
 * AHA/ACC/HRS 2018 bradycardia guideline's threshold) so a strip is unambiguous. AF at 90-160 is an
 * uncontrolled-to-rapid ventricular response, the AF a monitor should flag. Ectopy sits on a normal
 * sinus rate; "noise" strips are recorded while moving, so their underlying rate is a little higher.
 */
export const ECG_RHYTHM_HEART_RATE_RANGES_BPM: Record<TEcgRhythm, { minBpm: number; maxBpm: number }> = {
  normal_sinus: { minBpm: 60, maxBpm: 100 },
  atrial_fibrillation: { minBpm: 90, maxBpm: 160 },
  tachycardia: { minBpm: 110, maxBpm: 170 },
  bradycardia: { minBpm: 35, maxBpm: 48 },
  ventricular_ectopy: { minBpm: 60, maxBpm: 100 },
  noise: { minBpm: 65, maxBpm: 110 },
};
