// Server-only. No access check here: callers have already passed the access policy for this patient.
import type { TDb } from "../db/create-prisma-client";

/** The care team in escalation order. */
export async function findCareTeam(options: { db: TDb; patientId: string }) {
  const members = await options.db.careTeamMember.findMany({
    where: { patientId: options.patientId },
    select: { rank: true, clinician: { select: { id: true, displayName: true } } },
    orderBy: [{ rank: "asc" }, { createdAt: "asc" }],
  });
  return members.map((member) => ({ clinicianId: member.clinician.id, displayName: member.clinician.displayName, rank: member.rank }));
}
