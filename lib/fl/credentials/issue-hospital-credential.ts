// Server-only. A hospital admin issues a credential for their hospital's federated-training process.
// The token is returned once, here; the server keeps only its SHA-256 (authenticate-hospital-credential).
import { z } from "zod";
import { assertRole } from "../../auth/access-policy";
import type { TActor } from "../../auth/actor";
import { createRandomToken, hashToken } from "../../auth/tokens";
import { recordAudit } from "../../audit/record-audit";
import type { TDb } from "../../db/create-prisma-client";
import { HOSPITAL_CREDENTIAL_PREFIX } from "./authenticate-hospital-credential";
import {
  DEFAULT_CREDENTIAL_VALIDITY_DAYS,
  HOSPITAL_CREDENTIAL_VIEW_SELECT,
  MAX_CREDENTIAL_VALIDITY_DAYS,
  toHospitalCredentialView,
  type THospitalCredentialView,
} from "./hospital-credential-view";

const DAY_MS = 24 * 60 * 60 * 1000;

export const ZIssueHospitalCredentialSchema = z.strictObject({
  label: z.string().trim().min(1).max(80),
  validityDays: z.number().int().min(1).max(MAX_CREDENTIAL_VALIDITY_DAYS).default(DEFAULT_CREDENTIAL_VALIDITY_DAYS),
});
export type TIssueHospitalCredential = z.input<typeof ZIssueHospitalCredentialSchema>;

export async function issueHospitalCredential(options: {
  db: TDb;
  actor: TActor;
  input: TIssueHospitalCredential;
  now?: Date;
}): Promise<{ token: string; credential: THospitalCredentialView }> {
  const { db, actor } = options;
  assertRole(actor, ["HOSPITAL_ADMIN"]);
  const input = ZIssueHospitalCredentialSchema.parse(options.input);
  const now = options.now ?? new Date();
  const token = `${HOSPITAL_CREDENTIAL_PREFIX}${createRandomToken(32)}`;
  const row = await db.$transaction(async (tx) => {
    const created = await tx.hospitalCredential.create({
      data: { hospitalId: actor.hospitalId, label: input.label, tokenHash: hashToken(token), createdById: actor.userId, createdAt: now, expiresAt: new Date(now.getTime() + input.validityDays * DAY_MS) },
      select: HOSPITAL_CREDENTIAL_VIEW_SELECT,
    });
    await recordAudit({
      db: tx,
      entries: [{ actor, action: "fl_credential.issue", targetType: "hospital_credential", targetId: created.id, hospitalId: actor.hospitalId, detail: { validityDays: input.validityDays } }],
    });
    return created;
  });
  return { token, credential: toHospitalCredentialView(row, now) };
}
