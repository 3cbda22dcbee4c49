// Server-only.
import { assertRole, getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import { recordAudit } from "../audit/record-audit";
import type { TDb } from "../db/create-prisma-client";
import { AppError } from "../errors/app-error";

export async function removeCareTeamMember(options: { db: TDb; actor: TActor; patientId: string; clinicianId: string }) {
  const { db, actor } = options;
  assertRole(actor, ["HOSPITAL_ADMIN"]);
  const patient = await getPatientForActorOrThrow({ db, actor, patientId: options.patientId, action: null });
  await db.$transaction(async (tx) => {
    const { count } = await tx.careTeamMember.deleteMany({ where: { patientId: patient.id, clinicianId: options.clinicianId } });
    if (count === 0) throw new AppError("NOT_FOUND", { message: "Clinician is not on this care team" });
    await recordAudit({
      db: tx,
      entries: [{ actor, action: "care_team.remove", targetType: "care_team_member", targetId: options.clinicianId, patientId: patient.id, hospitalId: patient.hospitalId }],
    });
  });
}
