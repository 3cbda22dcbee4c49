import { listAlerts, ZListAlertsQuerySchema } from "@/lib/alerts";
import { readQuery } from "@/lib/http/read-query";
import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute({ auth: "user" }, async ({ actor, server, request }) =>
  json({ alerts: await listAlerts({ db: server.database.prisma, actor, query: readQuery(request, ZListAlertsQuerySchema) }) }),
);
