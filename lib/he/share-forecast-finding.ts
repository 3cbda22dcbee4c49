// Server-only. The patient shares what their client concluded from a decrypted forecast (a low or a
// high is coming), never the values: the request schema has no field for one. It becomes an alert for
// their care team through lib/alerts, like any other alert (rules, folding, escalation, push).
import type { TActor } from "../auth/actor";
import { raiseAlert, type TAlertChange, type TEscalationPolicy } from "../alerts";
import type { TDb } from "../db/create-prisma-client";
import { ZShareForecastFindingSchema, type TShareForecastFinding } from "../glucose-forecast/forecast-finding";
import { assertPatientSelfOrThrow } from "./assert-patient-self";

export { ZShareForecastFindingSchema };

// A forecast low is URGENT: level 1 hypoglycaemia within 30 min can become level 2 (< 54 mg/dL) soon
// after, and the care team may need to call. A forecast high is a WARNING: hyperglycaemia is harmful
// over hours, not minutes. Neither is CRITICAL: it is a forecast, not a measurement.
const CONDITION_BY_FINDING = {
  predicted_low: { condition: "glucose_low_forecast", severity: "URGENT" },
  predicted_high: { condition: "glucose_high_forecast", severity: "WARNING" },
} as const;

export async function shareForecastFinding(options: {
  db: TDb;
  actor: TActor;
  patientId: string;
  input: TShareForecastFinding;
  escalation: TEscalationPolicy;
}): Promise<{ alertId: string | null; isNew: boolean; change: TAlertChange | null }> {
  const patient = await assertPatientSelfOrThrow(options);
  const { condition, severity } = CONDITION_BY_FINDING[options.input.finding];
  const result = await raiseAlert({
    db: options.db,
    escalation: options.escalation,
    input: {
      patientId: patient.id,
      condition,
      severity,
      source: "GLUCOSE_FORECAST",
      evidence: { sharedBy: "patient", horizonMin: options.input.horizonMin, forecastAt: options.input.forecastAt, modelVersion: options.input.modelVersion },
    },
  });
  // Null: the patient's alert rules switch this condition off.
  if (!result) return { alertId: null, isNew: false, change: null };
  return { alertId: result.alert.id.toString(), isNew: result.isNew, change: result.shouldNotify ? result : null };
}
