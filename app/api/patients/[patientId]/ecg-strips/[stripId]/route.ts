import { json, withRoute } from "@/lib/http/with-route";
import { getEcgStrip } from "@/lib/patients/get-ecg-strip";

export const GET = withRoute<"user", { patientId: string; stripId: string }>({ auth: "user" }, async ({ actor, server, params }) =>
  json({ strip: await getEcgStrip({ db: server.database.prisma, actor, patientId: params.patientId, stripId: params.stripId }) }),
);
