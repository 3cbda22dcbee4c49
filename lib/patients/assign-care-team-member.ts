// Server-only.
import { z } from "zod";
import { assertRole, getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import { recordAudit } from "../audit/record-audit";
import type { TDb } from "../db/create-prisma-client";
import { AppError } from "../errors/app-error";

export const ZAssignCareTeamMemberSchema = z.strictObject({
  clinicianId: z.uuid(),
  // Escalation order: rank 0 is paged first.
  rank: z.number().int().min(0).max(100),
});
export type TAssignCareTeamMember = z.infer<typeof ZAssignCareTeamMemberSchema>;

export async function assignCareTeamMember(options: { db: TDb; actor: TActor; patientId: string; input: TAssignCareTeamMember }) {
  const { db, actor, input } = options;
  assertRole(actor, ["HOSPITAL_ADMIN"]);
  const patient = await getPatientForActorOrThrow({ db, actor, patientId: options.patientId, action: null });
  const clinician = await db.user.findFirst({
    where: { id: input.clinicianId, role: "CLINICIAN", hospitalId: patient.hospitalId, disabledAt: null },
    select: { id: true },
  });
  if (!clinician) {
    throw new AppError("VALIDATION_FAILED", {
      message: "No such clinician in this hospital",
      fields: [{ path: "clinicianId", message: "not a clinician of this patient's hospital" }],
    });
  }
  return db.$transaction(async (tx) => {
    const member = await tx.careTeamMember.upsert({
      where: { patientId_clinicianId: { patientId: patient.id, clinicianId: clinician.id } },
      create: { patientId: patient.id, clinicianId: clinician.id, rank: input.rank },
      update: { rank: input.rank },
      select: { patientId: true, clinicianId: true, rank: true },
    });
    await recordAudit({
      db: tx,
      entries: [{
        actor,
        action: "care_team.assign",
        targetType: "care_team_member",
        targetId: clinician.id,
        patientId: patient.id,
        hospitalId: patient.hospitalId,
        detail: { rank: input.rank },
      }],
    });
    return member;
  });
}
