import { json, withRoute } from "@/lib/http/with-route";
import { listPatients } from "@/lib/patients/list-patients";

export const GET = withRoute({ auth: "user" }, async ({ actor, server }) =>
  json({ patients: await listPatients({ db: server.database.prisma, actor }) }),
);
