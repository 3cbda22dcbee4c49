// Server-only. The access policy, in one place. Every route and socket handler that touches a patient
// goes through patientScopeFor / getPatientForActorOrThrow; nothing else decides who sees whom.
import { z } from "zod";
import { recordPatientReads } from "../audit/record-patient-reads";
import type { TDb } from "../db/create-prisma-client";
import type { Role } from "../db/generated/enums.ts";
import type { PatientWhereInput } from "../db/generated/models.ts";
import { AppError } from "../errors/app-error";
import type { TActor, TUserActor } from "./actor";

/**
 * The patients an actor may see, as a query filter:
 * - a patient: only themself;
 * - a clinician: patients whose care team they are on, in their own hospital;
 * - a hospital admin: every patient of their hospital;
 * - a device: only the patient wearing it.
 */
export function patientScopeFor(actor: TActor): PatientWhereInput {
  if (actor.kind === "device") return { id: actor.patientId };
  switch (actor.role) {
    case "PATIENT":
      // A patient user without a patient record sees nothing; never fall through to a wider scope.
      return actor.patientId ? { id: actor.patientId } : { id: { in: [] } };
    case "CLINICIAN":
      return { hospitalId: actor.hospitalId, careTeam: { some: { clinicianId: actor.userId } } };
    case "HOSPITAL_ADMIN":
      return { hospitalId: actor.hospitalId };
  }
}

export function assertRole(actor: TActor, roles: readonly Role[]): asserts actor is TUserActor {
  if (actor.kind !== "user" || !roles.includes(actor.role)) {
    throw new AppError("FORBIDDEN", { message: "Your role may not do this" });
  }
}

const ZPatientId = z.uuid();

/**
 * The patient, if this actor may see them; otherwise NOT_FOUND, the same answer as for a patient that
 * does not exist, so probing ids reveals nothing. A read by anyone but the patient is audited.
 */
export async function getPatientForActorOrThrow(options: {
  db: TDb;
  actor: TActor;
  patientId: string;
  /**
   * What is being read, for the audit log, e.g. "patient.read" or "heart_rate.read"; null when the caller
   * is about to change the patient's records and audits that change itself (in the same transaction).
   */
  action: string | null;
}) {
  const { db, actor } = options;
  const notFound = () => new AppError("NOT_FOUND", { message: "Patient not found" });
  if (!ZPatientId.safeParse(options.patientId).success) throw notFound();
  const patient = await db.patient.findFirst({
    where: { AND: [patientScopeFor(actor), { id: options.patientId }] },
    select: { id: true, hospitalId: true, displayName: true, birthYear: true, restingBpm: true, timeZone: true, createdAt: true },
  });
  if (!patient) throw notFound();
  if (options.action) await recordPatientReads({ db, actor, action: options.action, patients: [patient] });
  return patient;
}
