// Server-only. "I have seen it and I am on it": stops escalation.
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import type { TAlertChange } from "./alert-change";
import { transitionAlert } from "./transition-alert";

export async function acknowledgeAlert(options: { db: TDb; actor: TActor; alertId: string }): Promise<TAlertChange> {
  return transitionAlert({
    ...options,
    allowedFrom: ["OPEN"],
    eventType: "acknowledged",
    data: (now) => ({ status: "ACKNOWLEDGED", acknowledgedAt: now, nextEscalationAt: null }),
  });
}
