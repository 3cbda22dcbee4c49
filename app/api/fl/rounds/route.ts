import { listRounds, startRound } from "@/lib/fl/rounds";
import { ZStartRoundSchema } from "@/lib/fl/rounds/start-round";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute({ auth: "user" }, async ({ actor, server }) => json({ rounds: await listRounds({ db: server.database.prisma, actor }) }));

export const POST = withRoute({ auth: "user" }, async ({ actor, server, request }) => {
  const { modelName, config } = await readJsonBody(request, ZStartRoundSchema);
  const round = await startRound({ db: server.database.prisma, actor, modelName, config, publishRound: (roundId) => server.flRounds?.publish(roundId) });
  return json({ round }, { status: 201 });
});
