import { checkHealth } from "@/lib/health/check-health";
import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute({ auth: "public" }, async ({ server }) => {
  const health = await checkHealth({ database: server.database });
  return json(health, { status: health.status === "ok" ? 200 : 503 });
});
