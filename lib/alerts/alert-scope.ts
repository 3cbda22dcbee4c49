// Server-only. Which alerts an actor may see, built on the patient access policy: a clinician sees the
// alerts of their care-team patients, plus any alert of their hospital escalated to every clinician.
import { z } from "zod";
import { patientScopeFor } from "../auth/access-policy";
import type { TUserActor } from "../auth/actor";
import type { TDb, TTx } from "../db/create-prisma-client";
import type { AlertWhereInput } from "../db/generated/models.ts";
import { AppError } from "../errors/app-error";
import { ESCALATION_HOSPITAL_LEVEL } from "./alert-conditions";

export function alertScopeFor(actor: TUserActor): AlertWhereInput {
  if (actor.role === "CLINICIAN") {
    return {
      OR: [
        { patient: patientScopeFor(actor) },
        { hospitalId: actor.hospitalId, escalationLevel: { gte: ESCALATION_HOSPITAL_LEVEL } },
      ],
    };
  }
  return { patient: patientScopeFor(actor) };
}

export const ZAlertIdSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, "must be an alert id");

/** The alert if this actor may see it; NOT_FOUND otherwise, as for an alert that does not exist. */
export async function getAlertForActorOrThrow(options: { db: TDb | TTx; actor: TUserActor; alertId: string }) {
  const parsed = ZAlertIdSchema.safeParse(options.alertId);
  const notFound = () => new AppError("NOT_FOUND", { message: "Alert not found" });
  if (!parsed.success) throw notFound();
  const alert = await options.db.alert.findFirst({ where: { AND: [alertScopeFor(options.actor), { id: BigInt(parsed.data) }] } });
  if (!alert) throw notFound();
  return alert;
}
