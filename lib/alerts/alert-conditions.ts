// The conditions an alert can be about, their default severity, and the escalation path. Clinical
// defaults are named here so a reviewer finds every number in one place.
import { z } from "zod";
import type { AlertSeverity, AlertSource } from "../db/generated/enums.ts";

export const ALERT_CONDITIONS = [
  "tachycardia",
  "bradycardia",
  "atrial_fibrillation",
  "ventricular_ectopy",
  "stale_device",
  "glucose_low_forecast",
  "glucose_high_forecast",
] as const;
export const ZAlertConditionSchema = z.enum(ALERT_CONDITIONS);
export type TAlertCondition = z.infer<typeof ZAlertConditionSchema>;

export const ZAlertSeveritySchema = z.enum(["CRITICAL", "URGENT", "WARNING"]);
export const ZAlertSourceSchema = z.enum(["WATCH_SCREEN", "ECG_CONFIRMED", "UNCONFIRMED_NO_ECG", "STALE_DEVICE", "GLUCOSE_FORECAST"]);
export const ZAlertOutcomeSchema = z.enum(["TRUE_EVENT", "FALSE_ALARM", "NOT_ACTIONABLE"]);

const SEVERITY_RANK: Record<AlertSeverity, number> = { WARNING: 0, URGENT: 1, CRITICAL: 2 };

export function maxSeverity(a: AlertSeverity, b: AlertSeverity): AlertSeverity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

// Which evidence an open alert keeps when hits fold into it: an ECG-confirmed strip outranks the watch
// screen's window, which outranks "the watch did not answer"; equal ranks keep the newer evidence.
const SOURCE_RANK: Record<AlertSource, number> = {
  UNCONFIRMED_NO_ECG: 0,
  STALE_DEVICE: 0,
  GLUCOSE_FORECAST: 0,
  WATCH_SCREEN: 1,
  ECG_CONFIRMED: 2,
};

export function isStrongerOrEqualSource(candidate: AlertSource, current: AlertSource): boolean {
  return SOURCE_RANK[candidate] >= SOURCE_RANK[current];
}

/**
 * Escalation of an unacknowledged critical alert, as in a paging rota: level 0 pages the care team's
 * first-ranked clinician (everyone on the team sees it in their inbox), level 1 pages the next-ranked
 * clinician, level 2 pages every clinician of the hospital, who may then see and acknowledge it.
 */
export const ESCALATION_NEXT_CLINICIAN_LEVEL = 1;
export const ESCALATION_HOSPITAL_LEVEL = 2;

/** Nightscout's default for stale CGM data is 15 min (urgent 30); a 1 Hz watch is silent sooner. */
export const DEFAULT_STALE_DEVICE_AFTER_MIN = 10;
