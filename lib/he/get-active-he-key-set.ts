// Server-only. The patient's active key set (its fingerprint, not its bytes) and the parameters the
// server expects, so a client can tell whether it must register keys.
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import { assertPatientSelfOrThrow } from "./assert-patient-self";
import { HE_PARAMS } from "./params";
import type { THeKeySetSummary } from "./register-he-keys";

export async function getActiveHeKeySet(options: { db: TDb; actor: TActor; patientId: string }): Promise<{ params: typeof HE_PARAMS; keySet: THeKeySetSummary | null }> {
  const patient = await assertPatientSelfOrThrow(options);
  const row = await options.db.heKeySet.findFirst({
    where: { patientId: patient.id, revokedAt: null },
    orderBy: { createdAt: "desc" },
    select: { id: true, paramsId: true, fingerprint: true, sizeBytes: true, createdAt: true },
  });
  return { params: HE_PARAMS, keySet: row ? { ...row, createdAt: row.createdAt.toISOString() } : null };
}
