import { readJsonBody } from "@/lib/http/read-json-body";
import { json, withRoute } from "@/lib/http/with-route";
import { assignCareTeamMember, ZAssignCareTeamMemberSchema } from "@/lib/patients/assign-care-team-member";
import { getCareTeam } from "@/lib/patients/get-care-team";

export const GET = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params }) =>
  json({ careTeam: await getCareTeam({ db: server.database.prisma, actor, patientId: params.patientId }) }),
);

export const POST = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params, request }) => {
  const input = await readJsonBody(request, ZAssignCareTeamMemberSchema);
  const member = await assignCareTeamMember({ db: server.database.prisma, actor, patientId: params.patientId, input });
  return json({ member }, { status: 201 });
});
