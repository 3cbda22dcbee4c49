// Server-only. Silences an alert for a while, with the reason on record (as Nightscout's snooze asks
// for a duration; we also ask why, for the audit). Escalation pauses until the snooze ends.
import { z } from "zod";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import type { TAlertChange } from "./alert-change";
import { transitionAlert } from "./transition-alert";

/** Longest snooze: a shift. Longer silence is a rule change, which is audited as such. */
export const MAX_SNOOZE_MIN = 12 * 60;

export const ZSnoozeAlertSchema = z.strictObject({
  minutes: z.number().int().min(1).max(MAX_SNOOZE_MIN),
  reason: z.string().trim().min(3).max(500),
});
export type TSnoozeAlert = z.infer<typeof ZSnoozeAlertSchema>;

export async function snoozeAlert(options: { db: TDb; actor: TActor; alertId: string; input: TSnoozeAlert }): Promise<TAlertChange> {
  const input = ZSnoozeAlertSchema.parse(options.input);
  return transitionAlert({
    ...options,
    allowedFrom: ["OPEN", "ACKNOWLEDGED"],
    eventType: "snoozed",
    note: input.reason,
    detail: { minutes: input.minutes },
    data: (now) => {
      const until = new Date(now.getTime() + input.minutes * 60_000);
      return { snoozedUntil: until };
    },
  });
}
