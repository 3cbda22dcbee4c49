// Server-only.
import { getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";

export async function getCareTeam(options: { db: TDb; actor: TActor; patientId: string }) {
  const patient = await getPatientForActorOrThrow({ ...options, action: "care_team.read" });
  const members = await options.db.careTeamMember.findMany({
    where: { patientId: patient.id },
    select: { rank: true, clinician: { select: { id: true, displayName: true } } },
    orderBy: [{ rank: "asc" }, { createdAt: "asc" }],
  });
  return members.map((member) => ({ clinicianId: member.clinician.id, displayName: member.clinician.displayName, rank: member.rank }));
}
