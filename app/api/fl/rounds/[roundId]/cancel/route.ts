import { cancelRound } from "@/lib/fl/rounds";
import { json, withRoute } from "@/lib/http/with-route";

export const POST = withRoute<"user", { roundId: string }>({ auth: "user" }, async ({ actor, server, params }) =>
  json({ round: await cancelRound({ db: server.database.prisma, actor, roundId: params.roundId, publishRound: (roundId) => server.flRounds?.publish(roundId) }) }),
);
