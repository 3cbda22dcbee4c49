// Server-only. The admin's own hospital's participant credentials, newest first.
import { z } from "zod";
import { assertRole } from "../../auth/access-policy";
import type { TActor } from "../../auth/actor";
import type { TDb } from "../../db/create-prisma-client";
import { HOSPITAL_CREDENTIAL_VIEW_SELECT, toHospitalCredentialView, type THospitalCredentialView } from "./hospital-credential-view";

export const ZListHospitalCredentialsSchema = z.strictObject({ take: z.number().int().min(1).max(200).default(100) });
export type TListHospitalCredentials = z.input<typeof ZListHospitalCredentialsSchema>;

export async function listHospitalCredentials(options: { db: TDb; actor: TActor; input?: TListHospitalCredentials; now?: Date }): Promise<THospitalCredentialView[]> {
  const { db, actor } = options;
  assertRole(actor, ["HOSPITAL_ADMIN"]);
  const { take } = ZListHospitalCredentialsSchema.parse(options.input ?? {});
  const now = options.now ?? new Date();
  const rows = await db.hospitalCredential.findMany({
    where: { hospitalId: actor.hospitalId },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take,
    select: HOSPITAL_CREDENTIAL_VIEW_SELECT,
  });
  return rows.map((row) => toHospitalCredentialView(row, now));
}
