// Server-only. The first paint of the clinician console: the clinician's patients (through the access
// policy) with what each tile shows before live updates arrive: when the watch was last seen, the
// active alerts, and the last rhythm the ECG model read. Live heart rate then streams over the socket.
import { z } from "zod";
import { assertRole, patientScopeFor } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import { recordPatientReads } from "../audit/record-patient-reads";
import type { TDb } from "../db/create-prisma-client";

export type TConsoleSeverity = "CRITICAL" | "URGENT" | "WARNING";

export type TConsolePatient = {
  id: string;
  displayName: string;
  timeZone: string;
  watchLastSeenAt: string | null;
  activeAlerts: number;
  worstSeverity: TConsoleSeverity | null;
  rhythm: { label: string; at: string } | null;
};

const SEVERITY_RANK: Record<TConsoleSeverity, number> = { WARNING: 0, URGENT: 1, CRITICAL: 2 };
const ZRhythmSchema = z.object({ label: z.string() });

export async function getClinicianConsole(options: { db: TDb; actor: TActor }): Promise<TConsolePatient[]> {
  const { db, actor } = options;
  assertRole(actor, ["CLINICIAN"]);
  const patients = await db.patient.findMany({
    where: patientScopeFor(actor),
    select: { id: true, displayName: true, hospitalId: true, timeZone: true },
    orderBy: { displayName: "asc" },
  });
  const ids = patients.map((patient) => patient.id);
  const [devices, alerts, rhythms] = await Promise.all([
    db.device.groupBy({ by: ["patientId"], where: { patientId: { in: ids }, kind: "WATCH", revokedAt: null }, _max: { lastSeenAt: true } }),
    db.alert.groupBy({ by: ["patientId", "severity"], where: { patientId: { in: ids }, status: { in: ["OPEN", "ACKNOWLEDGED"] } }, _count: { _all: true } }),
    db.ecgRequest.findMany({
      where: { patientId: { in: ids }, status: "ANSWERED" },
      orderBy: { answeredAt: "desc" },
      distinct: ["patientId"],
      select: { patientId: true, answeredAt: true, result: true },
    }),
  ]);
  await recordPatientReads({ db, actor, action: "patient.console", patients });
  const lastSeen = new Map(devices.map((row) => [row.patientId, row._max.lastSeenAt]));
  const alertsByPatient = new Map<string, { count: number; worst: TConsoleSeverity | null }>();
  for (const row of alerts) {
    const entry = alertsByPatient.get(row.patientId) ?? { count: 0, worst: null };
    entry.count += row._count._all;
    if (!entry.worst || SEVERITY_RANK[row.severity] > SEVERITY_RANK[entry.worst]) entry.worst = row.severity;
    alertsByPatient.set(row.patientId, entry);
  }
  const rhythmByPatient = new Map(
    rhythms.flatMap((row) => {
      const parsed = ZRhythmSchema.safeParse(row.result);
      return parsed.success && row.answeredAt ? [[row.patientId, { label: parsed.data.label, at: row.answeredAt.toISOString() }] as const] : [];
    }),
  );
  return patients.map((patient) => ({
    id: patient.id,
    displayName: patient.displayName,
    timeZone: patient.timeZone,
    watchLastSeenAt: lastSeen.get(patient.id)?.toISOString() ?? null,
    activeAlerts: alertsByPatient.get(patient.id)?.count ?? 0,
    worstSeverity: alertsByPatient.get(patient.id)?.worst ?? null,
    rhythm: rhythmByPatient.get(patient.id) ?? null,
  }));
}
