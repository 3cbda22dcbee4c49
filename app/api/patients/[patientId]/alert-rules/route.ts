import { getAlertRules, updateAlertRules, ZUpdateAlertRulesSchema } from "@/lib/alerts";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params }) =>
  json({ rules: await getAlertRules({ db: server.database.prisma, actor, patientId: params.patientId }) }),
);

export const PUT = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params, request }) => {
  const input = await readJsonBody(request, ZUpdateAlertRulesSchema);
  return json({ rules: await updateAlertRules({ db: server.database.prisma, actor, patientId: params.patientId, input }) });
});
