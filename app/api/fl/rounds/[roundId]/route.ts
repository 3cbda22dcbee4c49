import { getRoundOrThrow } from "@/lib/fl/rounds";
import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute<"user", { roundId: string }>({ auth: "user" }, async ({ actor, server, params }) =>
  json({ round: await getRoundOrThrow({ db: server.database.prisma, actor, roundId: params.roundId }) }),
);
