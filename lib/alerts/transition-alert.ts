// Server-only. One path for every clinician action on an alert: scope check, a guarded state change
// (a concurrent action by a colleague loses cleanly with 409), its AlertEvent and its audit row, all
// in one transaction.
import { assertRole } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import { recordAudit } from "../audit/record-audit";
import type { TDb } from "../db/create-prisma-client";
import type { AlertStatus } from "../db/generated/enums.ts";
import type { AlertUpdateInput } from "../db/generated/models.ts";
import { AppError } from "../errors/app-error";
import type { TAlertChange } from "./alert-change";
import { getAlertForActorOrThrow } from "./alert-scope";

export async function transitionAlert(options: {
  db: TDb;
  actor: TActor;
  alertId: string;
  allowedFrom: readonly AlertStatus[];
  eventType: string;
  note?: string | null;
  detail?: Record<string, string | number | boolean | null>;
  data: (now: Date) => AlertUpdateInput;
}): Promise<TAlertChange> {
  const { db, actor } = options;
  // Acting on an alert is a clinical act: clinicians only (admins and patients can read, not act).
  assertRole(actor, ["CLINICIAN"]);
  return db.$transaction(async (tx) => {
    const current = await getAlertForActorOrThrow({ db: tx, actor, alertId: options.alertId });
    if (!options.allowedFrom.includes(current.status)) {
      throw new AppError("CONFLICT", { message: `Alert is ${current.status.toLowerCase()}; cannot ${options.eventType.replace(/d$/, "")}` });
    }
    const now = new Date();
    const { count } = await tx.alert.updateMany({
      where: { id: current.id, status: current.status },
      data: options.data(now) as never,
    });
    if (count === 0) throw new AppError("CONFLICT", { message: "Alert changed meanwhile; reload it" });
    const alert = await tx.alert.findUniqueOrThrow({ where: { id: current.id } });
    const event = await tx.alertEvent.create({
      data: { alertId: alert.id, type: options.eventType, actorId: actor.userId, note: options.note ?? null, at: now, detail: options.detail ?? {} },
    });
    await recordAudit({
      db: tx,
      entries: [{
        actor,
        action: `alert.${options.eventType}`,
        targetType: "alert",
        targetId: alert.id.toString(),
        patientId: alert.patientId,
        hospitalId: alert.hospitalId,
        detail: options.detail,
      }],
    });
    return { alert, event };
  });
}
