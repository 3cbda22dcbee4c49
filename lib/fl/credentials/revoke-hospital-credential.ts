// Server-only. Revoking takes effect on the participant's next request: authentication reads revokedAt
// every time. Another hospital's credential is NOT_FOUND, the same as one that never existed.
import { z } from "zod";
import { assertRole } from "../../auth/access-policy";
import type { TActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import type { TDb } from "../../db/create-prisma-client";
import { AppError } from "../../errors/app-error";
import { HOSPITAL_CREDENTIAL_VIEW_SELECT, toHospitalCredentialView, type THospitalCredentialView } from "./hospital-credential-view";

export const ZRevokeHospitalCredentialSchema = z.strictObject({ credentialId: z.uuid() });

export async function revokeHospitalCredential(options: { db: TDb; actor: TActor; credentialId: string; now?: Date }): Promise<THospitalCredentialView> {
  const { db, actor } = options;
  assertRole(actor, ["HOSPITAL_ADMIN"]);
  const notFound = () => new AppError("NOT_FOUND", { message: "Credential not found" });
  if (!ZRevokeHospitalCredentialSchema.safeParse({ credentialId: options.credentialId }).success) throw notFound();
  const now = options.now ?? new Date();
  const where = { id: options.credentialId, hospitalId: actor.hospitalId };
  const row = await db.$transaction(async (tx) => {
    // Only a live row changes, so revoking twice keeps the first revokedAt and writes one audit row.
    const changed = await tx.hospitalCredential.updateMany({ where: { ...where, revokedAt: null }, data: { revokedAt: now } });
    if (changed.count > 0) {
      await recordAudit({ db: tx, entries: [{ actor, action: "fl_credential.revoke", targetType: "hospital_credential", targetId: options.credentialId, hospitalId: actor.hospitalId }] });
    }
    return tx.hospitalCredential.findFirst({ where, select: HOSPITAL_CREDENTIAL_VIEW_SELECT });
  });
  if (!row) throw notFound();
  return toHospitalCredentialView(row, now);
}
