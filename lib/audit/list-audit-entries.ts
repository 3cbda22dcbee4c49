// Server-only.
import { z } from "zod";
import { assertRole } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";

export const ZListAuditEntriesSchema = z.strictObject({
  patientId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  beforeId: z.coerce.bigint().optional(),
});
export type TListAuditEntries = z.infer<typeof ZListAuditEntriesSchema>;

/** Hospital admins read their own hospital's audit trail, newest first. */
export async function listAuditEntries(options: { db: TDb; actor: TActor; query: TListAuditEntries }) {
  const { actor, query } = options;
  assertRole(actor, ["HOSPITAL_ADMIN"]);
  const rows = await options.db.auditLog.findMany({
    where: {
      hospitalId: actor.hospitalId,
      ...(query.patientId ? { patientId: query.patientId } : {}),
      ...(query.beforeId ? { id: { lt: query.beforeId } } : {}),
    },
    orderBy: { id: "desc" },
    take: query.limit,
  });
  return rows.map((row) => ({ ...row, id: row.id.toString(), at: row.at.toISOString() }));
}
