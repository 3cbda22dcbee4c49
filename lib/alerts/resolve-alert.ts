// Server-only. Closes an alert with its outcome; the outcome feeds the false-alarm figures clinicians
// and model reviewers look at.
import { z } from "zod";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import type { TAlertChange } from "./alert-change";
import { ZAlertOutcomeSchema } from "./alert-conditions";
import { transitionAlert } from "./transition-alert";

export const ZResolveAlertSchema = z.strictObject({
  outcome: ZAlertOutcomeSchema,
  note: z.string().trim().max(2000).optional(),
});
export type TResolveAlert = z.infer<typeof ZResolveAlertSchema>;

export async function resolveAlert(options: { db: TDb; actor: TActor; alertId: string; input: TResolveAlert }): Promise<TAlertChange> {
  const input = ZResolveAlertSchema.parse(options.input);
  return transitionAlert({
    ...options,
    allowedFrom: ["OPEN", "ACKNOWLEDGED"],
    eventType: "resolved",
    note: input.note || null,
    detail: { outcome: input.outcome },
    data: (now) => ({ status: "RESOLVED", outcome: input.outcome, resolvedAt: now, nextEscalationAt: null }),
  });
}
