// Words for alert fields, shared by server and client components. Severity is always shown as text
// with a symbol, never by colour alone.
import type { TAlertView } from "@/lib/alerts/alert-views";

const CONDITION_LABELS: Record<string, string> = {
  tachycardia: "Tachycardia",
  bradycardia: "Bradycardia",
  atrial_fibrillation: "Atrial fibrillation",
  ventricular_ectopy: "Ventricular ectopy",
  stale_device: "Watch silent",
  glucose_low_forecast: "Low glucose forecast",
  glucose_high_forecast: "High glucose forecast",
};

export function describeCondition(condition: string): string {
  return CONDITION_LABELS[condition] ?? condition.replaceAll("_", " ");
}

export const SEVERITY_LABELS: Record<TAlertView["severity"], { text: string; symbol: string }> = {
  CRITICAL: { text: "Critical", symbol: "‼" },
  URGENT: { text: "Urgent", symbol: "!" },
  WARNING: { text: "Warning", symbol: "△" },
};

export const SOURCE_LABELS: Record<TAlertView["source"], string> = {
  WATCH_SCREEN: "Watch screen",
  ECG_CONFIRMED: "Confirmed by ECG",
  UNCONFIRMED_NO_ECG: "Not confirmed (no ECG)",
  STALE_DEVICE: "Device check",
  GLUCOSE_FORECAST: "Glucose forecast",
};

export const OUTCOME_LABELS: Record<NonNullable<TAlertView["outcome"]>, string> = {
  TRUE_EVENT: "True event",
  FALSE_ALARM: "False alarm",
  NOT_ACTIONABLE: "Not actionable",
};

export function describeStatus(alert: Pick<TAlertView, "status" | "snoozedUntil" | "outcome">, nowMs = Date.now()): string {
  if (alert.status === "RESOLVED") return alert.outcome ? `Resolved: ${OUTCOME_LABELS[alert.outcome]}` : "Resolved";
  const snoozed = alert.snoozedUntil && Date.parse(alert.snoozedUntil) > nowMs;
  const base = alert.status === "ACKNOWLEDGED" ? "Acknowledged" : "Open";
  return snoozed ? `${base}, snoozed` : base;
}
