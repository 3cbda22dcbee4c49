import { readQuery } from "@/lib/http/read-query";
import { json, withRoute } from "@/lib/http/with-route";
import { getGlucoseReadings, ZGlucoseQuerySchema } from "@/lib/patients/get-glucose-readings";

export const GET = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params, request }) => {
  const query = readQuery(request, ZGlucoseQuerySchema);
  return json({ readings: await getGlucoseReadings({ db: server.database.prisma, actor, patientId: params.patientId, query }) });
});
