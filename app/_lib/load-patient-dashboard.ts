// Server-only. What a patient dashboard needs, each piece read through lib/ for this actor (the access
// policy decides; a patient the actor may not see is NOT_FOUND, as is an alert of another patient).
import { getAlertDetail } from "@/lib/alerts/get-alert-detail";
import { listAlerts } from "@/lib/alerts/list-alerts";
import type { TUserActor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import { getPatient } from "@/lib/patients/get-patient";
import { listEcgStrips } from "@/lib/patients/list-ecg-strips";
import { getServerContextOrThrow } from "@/lib/server-context";
import type { TPatientDashboardData } from "../_components/patient-dashboard";

export async function loadPatientDashboard(options: { actor: TUserActor; patientId: string; alertId: string | null }): Promise<TPatientDashboardData> {
  const db = getServerContextOrThrow().database.prisma;
  const { actor, patientId } = options;
  const patient = await getPatient({ db, actor, patientId });
  const [alerts, strips] = await Promise.all([
    listAlerts({ db, actor, query: { patientId: patient.id, limit: 50 } }),
    listEcgStrips({ db, actor, patientId: patient.id, limit: 10 }),
  ]);
  let selected: TPatientDashboardData["selected"] = null;
  const wantedAlertId = options.alertId ?? alerts.find((alert) => alert.status !== "RESOLVED")?.id ?? null;
  if (wantedAlertId) {
    selected = await getAlertDetail({ db, actor, alertId: wantedAlertId });
    if (selected.alert.patientId !== patient.id) throw new AppError("NOT_FOUND", { message: "Alert not found" });
  }
  return { patient, alerts, strips, selected };
}
