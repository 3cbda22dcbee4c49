import { json, withRoute } from "@/lib/http/with-route";
import { removeCareTeamMember } from "@/lib/patients/remove-care-team-member";

export const DELETE = withRoute<"user", { patientId: string; clinicianId: string }>({ auth: "user" }, async ({ actor, server, params }) => {
  await removeCareTeamMember({ db: server.database.prisma, actor, patientId: params.patientId, clinicianId: params.clinicianId });
  return json({ removed: true });
});
