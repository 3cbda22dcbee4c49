import { activateModelVersion } from "@/lib/fl/rounds";
import { json, withRoute } from "@/lib/http/with-route";

export const POST = withRoute<"user", { versionId: string }>({ auth: "user" }, async ({ actor, server, params }) => {
  const version = await activateModelVersion({ db: server.database.prisma, actor, versionId: params.versionId });
  // This instance switches now (the new pool verifies the artifact first); the others on their next check.
  void server.models?.refresh();
  return json({ version });
});
