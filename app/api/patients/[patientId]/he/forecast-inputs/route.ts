import { getRecentGlucoseReadings, ZRecentGlucoseQuerySchema } from "@/lib/glucose-forecast/get-recent-glucose-readings";
import { readQuery } from "@/lib/http/read-query";
import { json, withRoute } from "@/lib/http/with-route";

/** The patient's own recent CGM readings, newest first, for their forecast client's features. */
export const GET = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params, request }) => {
  const query = readQuery(request, ZRecentGlucoseQuerySchema);
  return json({ readings: await getRecentGlucoseReadings({ db: server.database.prisma, actor, patientId: params.patientId, query }) });
});
