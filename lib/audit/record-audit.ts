// Server-only. Only lib/audit writes the audit log. Details carry ids and codes, never health values.
import type { TDb, TTx } from "../db/create-prisma-client";
import { describeActor, type TActor } from "../auth/actor";

export type TAuditEntry = {
  actor: TActor | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  patientId?: string | null;
  hospitalId?: string | null;
  detail?: Record<string, string | number | boolean | null>;
};

function toRow(entry: TAuditEntry) {
  const { actorId, actorRole } = describeActor(entry.actor);
  return {
    actorId: entry.actor?.kind === "device" ? null : actorId,
    actorRole,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    patientId: entry.patientId ?? null,
    hospitalId: entry.hospitalId ?? null,
    // Device ids are not user ids, so they go in the detail rather than the actor column.
    detail: entry.actor?.kind === "device" ? { deviceId: entry.actor.deviceId, ...entry.detail } : (entry.detail ?? {}),
  };
}

export async function recordAudit(options: { db: TDb | TTx; entries: TAuditEntry[] }): Promise<void> {
  if (options.entries.length === 0) return;
  await options.db.auditLog.createMany({ data: options.entries.map(toRow) });
}
