import { listParticipantRounds } from "@/lib/fl/rounds";
import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute({ auth: "hospital" }, async ({ actor, server }) => json({ rounds: await listParticipantRounds({ db: server.database.prisma, participant: actor }) }));
