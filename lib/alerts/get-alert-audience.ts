// Server-only. Who is told about an alert event: its patient's care team, the patient (own view), and,
// once escalated to the hospital, every clinician of the hospital.
import type { TDb } from "../db/create-prisma-client";
import type { Alert } from "../db/generated/client.ts";
import { ESCALATION_HOSPITAL_LEVEL } from "./alert-conditions";

export type TAlertAudience = { clinicianIds: string[]; patientUserId: string | null; hospitalId: string; isHospitalWide: boolean };

export async function getAlertAudience(options: { db: TDb; alert: Alert }): Promise<TAlertAudience> {
  const { db, alert } = options;
  const patient = await db.patient.findUnique({
    where: { id: alert.patientId },
    select: { userId: true, careTeam: { where: { clinician: { disabledAt: null } }, select: { clinicianId: true } } },
  });
  return {
    clinicianIds: patient?.careTeam.map((member) => member.clinicianId) ?? [],
    patientUserId: patient?.userId ?? null,
    hospitalId: alert.hospitalId,
    isHospitalWide: alert.escalationLevel >= ESCALATION_HOSPITAL_LEVEL,
  };
}
