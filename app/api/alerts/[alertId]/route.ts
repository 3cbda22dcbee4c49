import { getAlertDetail } from "@/lib/alerts";
import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute<"user", { alertId: string }>({ auth: "user" }, async ({ actor, server, params }) =>
  json(await getAlertDetail({ db: server.database.prisma, actor, alertId: params.alertId })),
);
