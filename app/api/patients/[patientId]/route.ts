import { json, withRoute } from "@/lib/http/with-route";
import { getPatient } from "@/lib/patients/get-patient";

export const GET = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params }) =>
  json({ patient: await getPatient({ db: server.database.prisma, actor, patientId: params.patientId }) }),
);
