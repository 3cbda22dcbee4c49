// Server-only. What clients see of an alert and its events. Patients see their own alerts without the
// clinicians' notes or who acted.
import type { Alert, AlertEvent } from "../db/generated/client.ts";

export type TAlertView = {
  id: string;
  patientId: string;
  hospitalId: string;
  condition: string;
  severity: Alert["severity"];
  source: Alert["source"];
  status: Alert["status"];
  outcome: Alert["outcome"];
  evidence: unknown;
  hitCount: number;
  openedAt: string;
  lastHitAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  snoozedUntil: string | null;
  escalationLevel: number;
};

export type TAlertEventView = {
  eventId: string;
  alertId: string;
  type: string;
  at: string;
  actorId: string | null;
  note: string | null;
  detail: unknown;
  alert: TAlertView;
};

export type TAlertAudienceKind = "clinician" | "patient";

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toAlertView(alert: Alert): TAlertView {
  return {
    id: alert.id.toString(),
    patientId: alert.patientId,
    hospitalId: alert.hospitalId,
    condition: alert.condition,
    severity: alert.severity,
    source: alert.source,
    status: alert.status,
    outcome: alert.outcome,
    evidence: alert.evidence,
    hitCount: alert.hitCount,
    openedAt: alert.openedAt.toISOString(),
    lastHitAt: alert.lastHitAt.toISOString(),
    acknowledgedAt: iso(alert.acknowledgedAt),
    resolvedAt: iso(alert.resolvedAt),
    snoozedUntil: iso(alert.snoozedUntil),
    escalationLevel: alert.escalationLevel,
  };
}

export function toAlertEventView(event: AlertEvent, alert: Alert, audience: TAlertAudienceKind): TAlertEventView {
  const isClinician = audience === "clinician";
  return {
    eventId: event.id.toString(),
    alertId: alert.id.toString(),
    type: event.type,
    at: event.at.toISOString(),
    actorId: isClinician ? event.actorId : null,
    note: isClinician ? event.note : null,
    detail: isClinician ? event.detail : {},
    alert: toAlertView(alert),
  };
}
