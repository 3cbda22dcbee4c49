// Server-only. HE keys and encrypted forecasts belong to the patient alone: not even their care team may
// register keys or ask for a forecast in their name. Patients outside the actor's scope are NOT_FOUND
// (as everywhere); inside it but not the patient themself, FORBIDDEN.
import { getPatientForActorOrThrow } from "../auth/access-policy";
import { isPatientSelf, type TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import { AppError } from "../errors/app-error";

export async function assertPatientSelfOrThrow(options: { db: TDb; actor: TActor; patientId: string }): Promise<{ id: string; hospitalId: string }> {
  // action null: nothing is read on a refusal, and the patient's own use is not a read by someone else.
  const patient = await getPatientForActorOrThrow({ ...options, action: null });
  if (!isPatientSelf(options.actor, patient.id)) throw new AppError("FORBIDDEN", { message: "Only the patient may use their encrypted forecasts" });
  return { id: patient.id, hospitalId: patient.hospitalId };
}
