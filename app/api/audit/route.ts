import { listAuditEntries, ZListAuditEntriesSchema } from "@/lib/audit/list-audit-entries";
import { readQuery } from "@/lib/http/read-query";
import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute({ auth: "user" }, async ({ actor, server, request }) => {
  const query = readQuery(request, ZListAuditEntriesSchema);
  return json({ entries: await listAuditEntries({ db: server.database.prisma, actor, query }) });
});
