// Server-only. The bulk form of getPatientForActorOrThrow, for a console subscribing to many patients
// at once: all the ids must be visible to the actor, or the whole request is NOT_FOUND (the same answer
// as for ids that do not exist, so probing reveals nothing). The reads are audited as one batch.
import { z } from "zod";
import { patientScopeFor } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import { recordPatientReads } from "../audit/record-patient-reads";
import type { TDb } from "../db/create-prisma-client";
import { AppError } from "../errors/app-error";

// A clinician console shows a few hundred patients; 500 bounds the query and the audit batch.
export const MAX_PATIENTS_PER_REQUEST = 500;

export const ZPatientIdListSchema = z.array(z.string().max(64)).min(1).max(MAX_PATIENTS_PER_REQUEST);

export async function assertPatientsVisibleOrThrow(options: { db: TDb; actor: TActor; patientIds: string[]; action: string }): Promise<string[]> {
  const unique = [...new Set(options.patientIds)];
  const notFound = () => new AppError("NOT_FOUND", { message: "Patient not found" });
  if (!unique.every((id) => z.uuid().safeParse(id).success)) throw notFound();
  const patients = await options.db.patient.findMany({
    where: { AND: [patientScopeFor(options.actor), { id: { in: unique } }] },
    select: { id: true, hospitalId: true },
  });
  if (patients.length !== unique.length) throw notFound();
  await recordPatientReads({ db: options.db, actor: options.actor, action: options.action, patients });
  return unique;
}
