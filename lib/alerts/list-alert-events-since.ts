// Server-only. Catch-up for a client that was away: every alert event after the last one it saw, for
// the alerts it may see. Event ids only grow, so "after id N" is exact across reconnects and restarts.
import { z } from "zod";
import type { TUserActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import { alertScopeFor } from "./alert-scope";
import { toAlertEventView, type TAlertEventView } from "./alert-views";

export const ZAlertSyncSchema = z.strictObject({
  afterEventId: z.string().regex(/^(0|[1-9][0-9]{0,17})$/, "must be an event id").default("0"),
  limit: z.number().int().min(1).max(1000).default(500),
});
export type TAlertSync = z.input<typeof ZAlertSyncSchema>;

export async function listAlertEventsSince(options: { db: TDb; actor: TUserActor; input: TAlertSync }): Promise<{ events: TAlertEventView[]; hasMore: boolean }> {
  const { db, actor } = options;
  const input = ZAlertSyncSchema.parse(options.input);
  const rows = await db.alertEvent.findMany({
    where: { id: { gt: BigInt(input.afterEventId) }, alert: alertScopeFor(actor) },
    orderBy: { id: "asc" },
    take: input.limit + 1,
    include: { alert: true },
  });
  const audience = actor.role === "PATIENT" ? "patient" : "clinician";
  return {
    events: rows.slice(0, input.limit).map(({ alert, ...event }) => toAlertEventView(event, alert, audience)),
    hasMore: rows.length > input.limit,
  };
}
