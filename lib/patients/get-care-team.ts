// Server-only.
import { getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import { findCareTeam } from "./find-care-team";

export async function getCareTeam(options: { db: TDb; actor: TActor; patientId: string }) {
  const patient = await getPatientForActorOrThrow({ ...options, action: "care_team.read" });
  return findCareTeam({ db: options.db, patientId: patient.id });
}
