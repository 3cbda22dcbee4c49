// Server-only. A watch that was streaming and went silent is itself an alarm: a clinician relying on
// it must know they are blind. Raised once per silence; resolved by the system when data resumes.
import type { TDb } from "../db/create-prisma-client";
import type { TAlertChange } from "./alert-change";
import type { TEscalationPolicy } from "./escalation-policy";
import { raiseAlert } from "./raise-alert";

/** Only devices heard from within this window count as "was streaming" (not a watch left in a drawer). */
const WAS_STREAMING_WITHIN_MS = 24 * 3_600_000;

export async function raiseStaleDeviceAlerts(options: {
  db: TDb;
  escalation: TEscalationPolicy;
  staleAfterMin: number;
  now?: Date;
}): Promise<TAlertChange[]> {
  const { db } = options;
  const now = options.now ?? new Date();
  const staleBefore = new Date(now.getTime() - options.staleAfterMin * 60_000);
  const changes: TAlertChange[] = [];

  const silent = await db.$queryRaw<{ id: string; patientId: string; lastSeenAt: Date }[]>`
    SELECT d.id, d."patientId", d."lastSeenAt" FROM "Device" d
    WHERE d.kind = 'WATCH' AND d."revokedAt" IS NULL
      AND d."lastSeenAt" < ${staleBefore} AND d."lastSeenAt" > ${new Date(now.getTime() - WAS_STREAMING_WITHIN_MS)}
      AND NOT EXISTS (
        SELECT 1 FROM "Alert" a
        WHERE a."patientId" = d."patientId" AND a.condition = 'stale_device' AND a."openedAt" >= d."lastSeenAt"
      )`;
  for (const device of silent) {
    const raised = await raiseAlert({
      db,
      escalation: options.escalation,
      input: {
        patientId: device.patientId,
        condition: "stale_device",
        severity: "WARNING",
        source: "STALE_DEVICE",
        evidence: { deviceId: device.id, lastSeenAt: device.lastSeenAt.toISOString(), staleAfterMin: options.staleAfterMin },
        at: now,
      },
    });
    if (raised?.shouldNotify) changes.push(raised);
  }

  // Data is flowing again: close the stale alarm so it does not sit in the inbox as if still true.
  const resumed = await db.$queryRaw<{ id: bigint }[]>`
    SELECT a.id FROM "Alert" a
    WHERE a.condition = 'stale_device' AND a.status IN ('OPEN', 'ACKNOWLEDGED')
      AND EXISTS (
        SELECT 1 FROM "Device" d
        WHERE d.id::text = a.evidence->>'deviceId' AND d."lastSeenAt" > a."lastHitAt"
      )`;
  for (const { id } of resumed) {
    const change = await db.$transaction(async (tx) => {
      const { count } = await tx.alert.updateMany({
        where: { id, status: { in: ["OPEN", "ACKNOWLEDGED"] } },
        data: { status: "RESOLVED", outcome: "NOT_ACTIONABLE", resolvedAt: now, nextEscalationAt: null },
      });
      if (count === 0) return null;
      const alert = await tx.alert.findUniqueOrThrow({ where: { id } });
      const event = await tx.alertEvent.create({ data: { alertId: id, type: "resolved", at: now, note: "Device resumed streaming", detail: { outcome: "NOT_ACTIONABLE", by: "system" } } });
      return { alert, event };
    });
    if (change) changes.push(change);
  }
  return changes;
}
