// Server-only. Moves unacknowledged critical alerts up the paging rota when their time comes. Timers
// live in the database (Alert.nextEscalationAt), so they survive restarts; every instance runs this
// sweep, and FOR UPDATE SKIP LOCKED plus the moved deadline make each escalation happen exactly once.
import type { TDb } from "../db/create-prisma-client";
import type { TAlertChange } from "./alert-change";
import { ESCALATION_HOSPITAL_LEVEL, ESCALATION_NEXT_CLINICIAN_LEVEL } from "./alert-conditions";
import type { TEscalationPolicy } from "./escalation-policy";

const BATCH = 100;

export async function escalateDueAlerts(options: { db: TDb; escalation: TEscalationPolicy; now?: Date }): Promise<TAlertChange[]> {
  const { db, escalation } = options;
  const now = options.now ?? new Date();
  return db.$transaction(async (tx) => {
    const due = await tx.$queryRaw<{ id: bigint }[]>`
      SELECT id FROM "Alert"
      WHERE status = 'OPEN' AND "nextEscalationAt" <= ${now}
        AND ("snoozedUntil" IS NULL OR "snoozedUntil" <= ${now})
      ORDER BY "nextEscalationAt"
      LIMIT ${BATCH}
      FOR UPDATE SKIP LOCKED`;
    const changes: TAlertChange[] = [];
    for (const { id } of due) {
      const current = await tx.alert.findUniqueOrThrow({ where: { id } });
      const team = await tx.careTeamMember.findMany({
        where: { patientId: current.patientId, clinician: { disabledAt: null } },
        orderBy: [{ rank: "asc" }, { createdAt: "asc" }],
        select: { clinicianId: true, rank: true },
      });
      const ranks = [...new Set(team.map((member) => member.rank))];
      // Next clinician = the next rank after the first; with nobody there, straight to the hospital.
      const nextRank = ranks[ESCALATION_NEXT_CLINICIAN_LEVEL];
      const level = current.escalationLevel < ESCALATION_NEXT_CLINICIAN_LEVEL && nextRank !== undefined
        ? ESCALATION_NEXT_CLINICIAN_LEVEL
        : ESCALATION_HOSPITAL_LEVEL;
      const pagedClinicianIds = level === ESCALATION_NEXT_CLINICIAN_LEVEL ? team.filter((m) => m.rank === nextRank).map((m) => m.clinicianId) : [];
      const alert = await tx.alert.update({
        where: { id },
        data: { escalationLevel: level, nextEscalationAt: escalation.nextAt(level, now) },
      });
      const event = await tx.alertEvent.create({
        data: {
          alertId: id,
          type: "escalated",
          at: now,
          detail: { level, target: level === ESCALATION_HOSPITAL_LEVEL ? "hospital" : "next_clinician", pagedClinicianIds },
        },
      });
      changes.push({ alert, event });
    }
    return changes;
  });
}
