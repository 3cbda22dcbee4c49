import { z } from "zod";
import { listAlertEventsSince } from "@/lib/alerts";
import { readQuery } from "@/lib/http/read-query";
import { json, withRoute } from "@/lib/http/with-route";

const ZQuerySchema = z.strictObject({ afterEventId: z.string().optional(), limit: z.coerce.number().optional() });

// The HTTP twin of the socket's alerts:sync, for clients that poll.
export const GET = withRoute({ auth: "user" }, async ({ actor, server, request }) =>
  json(await listAlertEventsSince({ db: server.database.prisma, actor, input: readQuery(request, ZQuerySchema) })),
);
