import { publishAfterReply, resolveAlert, toAlertView, ZResolveAlertSchema } from "@/lib/alerts";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, withRoute } from "@/lib/http/with-route";

export const POST = withRoute<"user", { alertId: string }>({ auth: "user" }, async ({ actor, server, params, request }) => {
  const input = await readJsonBody(request, ZResolveAlertSchema);
  const change = await resolveAlert({ db: server.database.prisma, actor, alertId: params.alertId, input });
  publishAfterReply(server.alerts, [change]);
  return json({ alert: toAlertView(change.alert) });
});
