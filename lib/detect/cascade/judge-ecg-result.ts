import type { TCascadeConfig } from "./cascade-config";
import { ECG_LABEL_CONDITION, type TEcgClassification } from "./ecg-classification";
import type { TScreenCondition } from "../screen/screen-model";

export type TEcgVerdict =
  | { kind: "confirm"; condition: TScreenCondition; probability: number }
  | { kind: "refute"; probability: number; reason: "normal_rhythm" | "rate_explained_by_context" }
  | { kind: "abnormal"; probability: number }
  | { kind: "inconclusive"; reason: "noise" | "low_confidence" };

// Tachycardia and bradycardia are defined by the rate alone (> 100, < 50 bpm), and a strip shows the
// rate without its context: sinus tachycardia while climbing stairs, or a sinus rate in the 40s during
// sleep (normal: ACC/AHA/HRS 2018 bradycardia guideline), read the same as the disease. The watch
// screen has that context (activity, the patient's own baseline), so a rate-defined label confirms only
// when the screen agrees, over the time the strip was being recorded, in one of two ways:
// - it rated the same condition likely (mean probability >= config.rateAgreementScore): two tests,
//   one with the context and one with the waveform, name the same diagnosis;
// - or it stayed sure that something is wrong (mean suspicion, 1 - P(no event), >= config.
//   rateSuspicionScore), whatever it called it: PVCs at 52 bpm read as bradycardia on the strip and as
//   ectopy on the watch, and that is still an event.
// A sleeping rate in the 40s or a brisk walk makes the screen suspicious for a while, rarely both
// sure and of the same thing. AF and ectopy show in the ECG's morphology and beat timing, which the
// screen cannot see: they confirm on their own.
const RATE_DEFINED_CONDITIONS: ReadonlySet<TScreenCondition> = new Set(["tachycardia_rest", "bradycardia"]);

/**
 * What one strip says about a tier-1 hit. An abnormal rhythm at or above the confirm probability
 * confirms, and names the condition: the ECG is the more specific test, so a screen that suspected
 * tachycardia but sees AF on the strip raises AF (for rate-defined rhythms, see above). Normal sinus
 * rhythm at or above the refute probability refutes. A noisy strip or an undecided one is
 * inconclusive (the caller asks again or falls back to the screen's evidence).
 *
 * `screenScores`: the mean tier-1 probability per condition from the hit to the answer.
 */
export function judgeEcgResult(options: {
  classification: TEcgClassification;
  screenScores: Record<TScreenCondition, number>;
  config: Pick<TCascadeConfig, "confirmProbability" | "refuteProbability" | "rateAgreementScore" | "rateSuspicionScore">;
}): TEcgVerdict {
  const { classification, config, screenScores } = options;
  const { label } = classification;
  // The probability behind the label (for a rate-defined label, that of the class it was read from).
  const probability = classification.confidence;
  const condition = ECG_LABEL_CONDITION[label];
  if (condition && probability >= config.confirmProbability) {
    let suspicion = 0;
    for (const value of Object.values(screenScores)) suspicion += value;
    const isSupported = screenScores[condition] >= config.rateAgreementScore || suspicion >= config.rateSuspicionScore;
    if (RATE_DEFINED_CONDITIONS.has(condition) && !isSupported) {
      return { kind: "refute", probability, reason: "rate_explained_by_context" };
    }
    return { kind: "confirm", condition, probability };
  }
  // An abnormal rhythm the network cannot name (CinC's "other": flutter, block, bigeminy...) neither
  // confirms the screen's suspicion nor clears it: worth a clinician's look, so the screen's alert is
  // raised with the strip attached, one step below a confirmed one.
  if (label === "other_rhythm" && probability >= config.confirmProbability) return { kind: "abnormal", probability };
  if (label === "normal_sinus" && probability >= config.refuteProbability) return { kind: "refute", probability, reason: "normal_rhythm" };
  if (label === "noise") return { kind: "inconclusive", reason: "noise" };
  return { kind: "inconclusive", reason: "low_confidence" };
}
