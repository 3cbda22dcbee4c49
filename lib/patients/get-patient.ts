// Server-only.
import { getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";

export async function getPatient(options: { db: TDb; actor: TActor; patientId: string }) {
  const patient = await getPatientForActorOrThrow({ ...options, action: "patient.read" });
  const devices = await options.db.device.findMany({
    where: { patientId: patient.id, revokedAt: null },
    select: { id: true, kind: true, label: true, lastSeenAt: true },
    orderBy: { createdAt: "asc" },
  });
  return { ...patient, devices };
}
