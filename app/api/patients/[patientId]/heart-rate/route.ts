import { readQuery } from "@/lib/http/read-query";
import { json, withRoute } from "@/lib/http/with-route";
import { getHeartRateMinutes, ZHeartRateQuerySchema } from "@/lib/patients/get-heart-rate-minutes";

export const GET = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params, request }) => {
  const query = readQuery(request, ZHeartRateQuerySchema);
  return json({ minutes: await getHeartRateMinutes({ db: server.database.prisma, actor, patientId: params.patientId, query }) });
});
