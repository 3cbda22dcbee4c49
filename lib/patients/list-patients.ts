// Server-only.
import { patientScopeFor } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import { recordAudit } from "../audit/record-audit";
import type { TDb } from "../db/create-prisma-client";

export async function listPatients(options: { db: TDb; actor: TActor }) {
  const { db, actor } = options;
  const patients = await db.patient.findMany({
    where: patientScopeFor(actor),
    select: { id: true, displayName: true, hospitalId: true, timeZone: true },
    orderBy: { displayName: "asc" },
  });
  const othersRead = patients.filter((patient) => !(actor.kind === "user" && actor.patientId === patient.id));
  await recordAudit({
    db,
    entries: othersRead.map((patient) => ({
      actor,
      action: "patient.list",
      targetType: "patient",
      targetId: patient.id,
      patientId: patient.id,
      hospitalId: patient.hospitalId,
    })),
  });
  return patients;
}
