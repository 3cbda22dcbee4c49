import type { TScreenCondition } from "../screen/screen-model";

export type TAlertSeverity = "CRITICAL" | "URGENT" | "WARNING";

// Severity suggestion per condition (the alert module may raise it with context it has, e.g. history):
// - AF with a rapid ventricular response (the simulated episodes run at 100-160 bpm) carries stroke and
//   haemodynamic risk and needs prompt review: critical.
// - Sustained tachycardia or bradycardia at rest: urgent; critical at the extremes named below.
// - Bursts of ectopic beats are usually benign in isolation but may herald VT: warning.
// Thresholds: rates > 150 bpm at rest rarely stay sinus and commonly cause symptoms (ACC/AHA/HRS 2015
// SVT guideline); < 40 bpm awake is the classic point where bradycardia causes hypoperfusion.
export const CRITICAL_TACHYCARDIA_BPM = 150;
export const CRITICAL_BRADYCARDIA_BPM = 40;

export function suggestSeverity(options: { condition: TScreenCondition; levelBpm: number; isConfirmed: boolean }): TAlertSeverity {
  const { condition, levelBpm, isConfirmed } = options;
  let severity: TAlertSeverity;
  switch (condition) {
    case "afib":
      severity = "CRITICAL";
      break;
    case "tachycardia_rest":
      severity = levelBpm > CRITICAL_TACHYCARDIA_BPM ? "CRITICAL" : "URGENT";
      break;
    case "bradycardia":
      severity = levelBpm > 0 && levelBpm < CRITICAL_BRADYCARDIA_BPM ? "CRITICAL" : "URGENT";
      break;
    case "ectopic_burst":
      severity = "WARNING";
      break;
  }
  // Screen evidence alone (no ECG) is one step less certain, so one step lower, never below warning.
  if (!isConfirmed && severity === "CRITICAL") return "URGENT";
  return severity;
}
