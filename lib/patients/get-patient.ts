// Server-only.
import { getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import { findCareTeam } from "./find-care-team";

/** A patient's profile with their active devices and care team: one read, one audit row. */
export async function getPatient(options: { db: TDb; actor: TActor; patientId: string }) {
  const { db } = options;
  const patient = await getPatientForActorOrThrow({ ...options, action: "patient.read" });
  const [devices, careTeam] = await Promise.all([
    db.device.findMany({
      where: { patientId: patient.id, revokedAt: null },
      select: { id: true, kind: true, label: true, lastSeenAt: true },
      orderBy: { createdAt: "asc" },
    }),
    findCareTeam({ db, patientId: patient.id }),
  ]);
  return { ...patient, devices, careTeam };
}
