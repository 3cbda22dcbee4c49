// Server-only.
import { patientScopeFor } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import { recordPatientReads } from "../audit/record-patient-reads";
import type { TDb } from "../db/create-prisma-client";

export async function listPatients(options: { db: TDb; actor: TActor }) {
  const { db, actor } = options;
  const patients = await db.patient.findMany({
    where: patientScopeFor(actor),
    select: { id: true, displayName: true, hospitalId: true, timeZone: true },
    orderBy: { displayName: "asc" },
  });
  await recordPatientReads({ db, actor, action: "patient.list", patients });
  return patients;
}
