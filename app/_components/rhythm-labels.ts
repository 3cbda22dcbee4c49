// Words for the ECG model's rhythm labels; a plain module so server and client components can both call it.
const RHYTHM_LABELS: Record<string, string> = {
  normal_sinus: "Normal sinus rhythm",
  atrial_fibrillation: "Atrial fibrillation",
  tachycardia: "Tachycardia",
  bradycardia: "Bradycardia",
  ventricular_ectopy: "Ventricular ectopy",
  other_rhythm: "Other abnormal rhythm",
  noise: "Unreadable (noise)",
};

export function describeRhythm(label: string): string {
  return RHYTHM_LABELS[label] ?? label.replaceAll("_", " ");
}
