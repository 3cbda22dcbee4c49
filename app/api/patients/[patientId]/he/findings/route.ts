import { publishAfterReply } from "@/lib/alerts";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, withRoute } from "@/lib/http/with-route";
import { shareForecastFinding, ZShareForecastFindingSchema } from "@/lib/he/share-forecast-finding";

/** The patient shares a forecast finding (low/high coming, no values) with their care team as an alert. */
export const POST = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params, request }) => {
  const input = await readJsonBody(request, ZShareForecastFindingSchema);
  const { alertId, isNew, change } = await shareForecastFinding({ db: server.database.prisma, actor, patientId: params.patientId, input, escalation: server.escalation });
  if (change) publishAfterReply(server.alerts, [change]);
  return json({ alertId, isNew });
});
