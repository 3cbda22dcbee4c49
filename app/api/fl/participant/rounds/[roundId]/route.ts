import { getParticipantRoundView } from "@/lib/fl/rounds";
import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute<"hospital", { roundId: string }>({ auth: "hospital" }, async ({ actor, server, params }) =>
  json(await getParticipantRoundView({ db: server.database.prisma, participant: actor, roundId: params.roundId })),
);
