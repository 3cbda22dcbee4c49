import { acknowledgeAlert, publishAfterReply, toAlertView } from "@/lib/alerts";
import { json, withRoute } from "@/lib/http/with-route";

export const POST = withRoute<"user", { alertId: string }>({ auth: "user" }, async ({ actor, server, params }) => {
  const change = await acknowledgeAlert({ db: server.database.prisma, actor, alertId: params.alertId });
  publishAfterReply(server.alerts, [change]);
  return json({ alert: toAlertView(change.alert) });
});
