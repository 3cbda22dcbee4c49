import { revokeHospitalCredential } from "@/lib/fl/credentials";
import { json, withRoute } from "@/lib/http/with-route";

export const DELETE = withRoute<"user", { credentialId: string }>({ auth: "user" }, async ({ actor, server, params }) =>
  json({ credential: await revokeHospitalCredential({ db: server.database.prisma, actor, credentialId: params.credentialId }) }),
);
