// Server-only.
import { isPatientSelf, type TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import { recordAudit } from "./record-audit";

/** Audits reads of patients' data by anyone other than the patient themself (a patient's own reads are not). */
export async function recordPatientReads(options: {
  db: TDb;
  actor: TActor;
  action: string;
  patients: { id: string; hospitalId: string }[];
}): Promise<void> {
  const { actor } = options;
  await recordAudit({
    db: options.db,
    entries: options.patients
      .filter((patient) => !isPatientSelf(actor, patient.id))
      .map((patient) => ({ actor, action: options.action, targetType: "patient", targetId: patient.id, patientId: patient.id, hospitalId: patient.hospitalId })),
  });
}
