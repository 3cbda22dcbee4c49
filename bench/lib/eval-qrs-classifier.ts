// A stand-in tier 2 for developing the cascade evaluation before the CNN (lib/detect/ecg) exists:
// rules on the QRS detector's rhythm features. Not the product's tier 2; figures made with it are
// labelled as such by scripts/eval-cascade.ts.
import type { TEcgClassification, TEcgClassifier } from "../../lib/detect/cascade";
import { ECG_CLASSES, type TEcgClass, type TEcgLabel } from "../../lib/detect/ecg/ecg-classes";
import { detectQrs, summarizeRhythm } from "../../lib/detect/qrs";

export const QRS_RULES_MODEL_VERSION = "qrs-rules-temporary";

function classification(label: TEcgLabel, confidence: number, heartRateBpm: number | null = null): TEcgClassification {
  const ecgClass: TEcgClass = label === "tachycardia" || label === "bradycardia" ? "normal_sinus" : label;
  const rest = (1 - confidence) / (ECG_CLASSES.length - 1);
  const probabilities = Object.fromEntries(ECG_CLASSES.map((name) => [name, name === ecgClass ? confidence : rest])) as Record<TEcgClass, number>;
  return { label, confidence, probabilities, heartRateBpm, modelVersion: QRS_RULES_MODEL_VERSION };
}

export function classifyWithQrsRules(input: { samples: Float32Array; sampleRateHz: number }): TEcgClassification {
  const detection = detectQrs(input);
  if (!detection.quality.usable || detection.heartRateBpm === null) return classification("noise", 0.8);
  const rr = detection.rrIntervalsS;
  const summary = summarizeRhythm({ rrIntervalsS: rr });
  const medianRr = summary.medianRrS ?? 1;
  // Premature beat + compensatory pause: a short interval followed by a long one.
  let prematurePairs = 0;
  let irregular = 0;
  for (let index = 0; index + 1 < rr.length; index += 1) {
    if (rr[index]! < 0.85 * medianRr && rr[index + 1]! > 1.1 * medianRr) prematurePairs += 1;
    if (Math.abs(rr[index + 1]! - rr[index]!) > 0.12 * medianRr) irregular += 1;
  }
  const irregularShare = rr.length > 1 ? irregular / (rr.length - 1) : 0;
  if ((summary.rrCoefficientOfVariation ?? 0) > 0.12 && irregularShare > 0.45) return classification("atrial_fibrillation", 0.85);
  if (prematurePairs >= 1) return classification("ventricular_ectopy", 0.75);
  if (detection.heartRateBpm > 100) return classification("tachycardia", 0.85);
  if (detection.heartRateBpm < 50) return classification("bradycardia", 0.85);
  return classification("normal_sinus", 0.85);
}

export function createQrsRulesClassifier(): TEcgClassifier {
  return {
    classify: async (input) => classifyWithQrsRules(input),
    close: async () => {},
  };
}
