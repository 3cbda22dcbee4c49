// What tier 2 says about a strip. Pure (zod only), so the cascade, the worker messages and pages share it
// without loading tfjs.
//
// The network's classes are those real single-lead recordings support (the CinC 2017 reference labels
// plus ventricular ectopy from MIT-BIH's beat annotations): normal sinus rhythm, atrial fibrillation,
// "other rhythm" (CinC's O: every recording that is neither sinus nor AF nor too noisy, e.g. flutter,
// heart block, bigeminy, frequent supraventricular ectopy; a real, common class that must not be forced
// into sinus or AF), ventricular ectopy, and noise. Tachycardia and bradycardia are not morphologies but
// rates: they come from the detected rate of a strip the network reads as sinus or other rhythm.
import { z } from "zod";
import type { TEcgRhythm } from "../../sim/ecg-rhythms";
import { BRADYCARDIA_BELOW_BPM, TACHYCARDIA_ABOVE_BPM } from "../rate-definitions";

export const ECG_CLASSES = ["normal_sinus", "atrial_fibrillation", "other_rhythm", "ventricular_ectopy", "noise"] as const;
export const ZEcgClassSchema = z.enum(ECG_CLASSES);
export type TEcgClass = z.infer<typeof ZEcgClassSchema>;

export const ECG_LABELS = [...ECG_CLASSES, "tachycardia", "bradycardia"] as const;
export const ZEcgLabelSchema = z.enum(ECG_LABELS);
export type TEcgLabel = z.infer<typeof ZEcgLabelSchema>;


/** Classes whose rate names the rhythm: a sinus or "other" strip at 130 bpm is reported as tachycardia. */
const RATE_DEFINED_CLASSES: ReadonlySet<TEcgClass> = new Set(["normal_sinus", "other_rhythm"]);

/** The label reported for the network's class and the strip's detected median rate (null: no rate). */
export function toEcgLabel(ecgClass: TEcgClass, heartRateBpm: number | null): TEcgLabel {
  if (heartRateBpm === null || !RATE_DEFINED_CLASSES.has(ecgClass)) return ecgClass;
  if (heartRateBpm > TACHYCARDIA_ABOVE_BPM) return "tachycardia";
  if (heartRateBpm < BRADYCARDIA_BELOW_BPM) return "bradycardia";
  return ecgClass;
}

/**
 * The class a simulated strip teaches (federated cohorts and synthetic strips are generated per simulated
 * rhythm): the simulator's tachycardia and bradycardia are sinus rhythm at an abnormal rate.
 */
export const SIM_RHYTHM_CLASS: Record<TEcgRhythm, TEcgClass> = {
  normal_sinus: "normal_sinus",
  atrial_fibrillation: "atrial_fibrillation",
  tachycardia: "normal_sinus",
  bradycardia: "normal_sinus",
  ventricular_ectopy: "ventricular_ectopy",
  noise: "noise",
};

/** The label a correct classifier gives a simulated strip of `rhythm` (for evaluations on simulated strips). */
export const SIM_RHYTHM_LABEL: Record<TEcgRhythm, TEcgLabel> = {
  normal_sinus: "normal_sinus",
  atrial_fibrillation: "atrial_fibrillation",
  tachycardia: "tachycardia",
  bradycardia: "bradycardia",
  ventricular_ectopy: "ventricular_ectopy",
  noise: "noise",
};

/** The class with the highest log-probability after the decision offsets (probabilities in ECG_CLASSES order). */
export function pickEcgClass(probabilities: ArrayLike<number>, offsets: Partial<Record<TEcgClass, number>> = {}): TEcgClass {
  let best: TEcgClass = ECG_CLASSES[0];
  let bestScore = Number.NEGATIVE_INFINITY;
  ECG_CLASSES.forEach((ecgClass, index) => {
    const score = Math.log(Math.max(probabilities[index] as number, 1e-12)) + (offsets[ecgClass] ?? 0);
    if (score > bestScore) {
      bestScore = score;
      best = ecgClass;
    }
  });
  return best;
}

export const ZEcgClassificationSchema = z.object({
  label: ZEcgLabelSchema,
  /** The probability behind the label: its class's, or for a rate-defined label its class's. */
  confidence: z.number().min(0).max(1),
  probabilities: z.record(ZEcgClassSchema, z.number().min(0).max(1)),
  /** The strip's median rate from the QRS detector; null when it found too few beats. */
  heartRateBpm: z.number().nullable(),
  modelVersion: z.string(),
});
export type TEcgClassification = z.infer<typeof ZEcgClassificationSchema>;
