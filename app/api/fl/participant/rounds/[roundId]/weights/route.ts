import { getRoundBaseWeights } from "@/lib/fl/rounds";
import { withRoute } from "@/lib/http/with-route";

export const GET = withRoute<"hospital", { roundId: string }>({ auth: "hospital" }, async ({ actor, server, params }) => {
  const { bytes, sha256 } = await getRoundBaseWeights({ db: server.database.prisma, participant: actor, roundId: params.roundId });
  return new Response(Buffer.from(bytes), {
    headers: { "content-type": "application/octet-stream", "cache-control": "no-store", "x-weights-sha256": sha256 },
  });
});
