// Server-only. Registers (or replaces) a patient's public evaluation keys: the Galois keys for the
// forecast's rotations. No secret key, public key or relinearization key is accepted or needed. The
// keys are checked in an HE worker (SEAL load + exactly the expected rotation keys) before anything is
// written; the old key set is revoked and its key bytes dropped in the same transaction as the audit row.
import type { TActor } from "../auth/actor";
import { recordAudit } from "../audit/record-audit";
import type { TDb } from "../db/create-prisma-client";
import { AppError } from "../errors/app-error";
import { assertPatientSelfOrThrow } from "./assert-patient-self";
import { fingerprintKeySet } from "./fingerprint-key-set";
import type { THeEvalPool } from "./he-eval-pool";
import { assertSealHeader } from "./load-he-objects";
import { HE_PARAMS, MAX_KEY_SET_BYTES } from "./params";
import { forgetGaloisKeyBytes } from "./get-galois-key-bytes";


export type THeKeySetSummary = { id: string; paramsId: string; fingerprint: string; sizeBytes: number; createdAt: string };

export function assertParamsId(paramsId: string | null): void {
  if (paramsId !== HE_PARAMS.id) {
    throw new AppError("VALIDATION_FAILED", {
      message: `x-he-params-id must be ${HE_PARAMS.id}`,
      fields: [{ path: "x-he-params-id", message: `must be ${HE_PARAMS.id}` }],
    });
  }
}

export async function registerHeKeys(options: {
  db: TDb;
  actor: TActor;
  patientId: string;
  paramsId: string | null;
  /** Reads the uploaded keys; called only once the caller may register keys, so no one else's upload is buffered. */
  readGaloisKeys: () => Promise<Uint8Array>;
  pool: THeEvalPool;
}): Promise<THeKeySetSummary> {
  const { db, actor } = options;
  const patient = await assertPatientSelfOrThrow(options);
  assertParamsId(options.paramsId);
  const galoisKeys = await options.readGaloisKeys();
  assertSealHeader(galoisKeys, "galoisKeys", MAX_KEY_SET_BYTES);
  // The worker gets a copy: the original is hashed and stored below.
  const checked = await options.pool.run({ type: "check-keys", galoisKeys: galoisKeys.slice() });
  if (checked.type !== "keys-ok") throw new Error("unexpected worker result");
  const fingerprint = await fingerprintKeySet({ paramsId: HE_PARAMS.id, galoisKeys });
  const created = await db.$transaction(async (tx) => {
    const previous = await tx.heKeySet.findMany({ where: { patientId: patient.id, revokedAt: null }, select: { id: true, fingerprint: true } });
    if (previous.length > 0) {
      await tx.heKeySet.updateMany({ where: { id: { in: previous.map((row) => row.id) } }, data: { revokedAt: new Date(), galoisKeys: null } });
    }
    const row = await tx.heKeySet.create({
      data: { patientId: patient.id, paramsId: HE_PARAMS.id, fingerprint, galoisKeys: new Uint8Array(galoisKeys), sizeBytes: galoisKeys.byteLength },
      select: { id: true, paramsId: true, fingerprint: true, sizeBytes: true, createdAt: true },
    });
    await recordAudit({
      db: tx,
      entries: [
        {
          actor,
          action: "he_keys.register",
          targetType: "he_key_set",
          targetId: row.id,
          patientId: patient.id,
          hospitalId: patient.hospitalId,
          detail: { paramsId: row.paramsId, sizeBytes: row.sizeBytes, galoisKeyCount: checked.keyCount, replacedKeySets: previous.length },
        },
      ],
    });
    return { row, previous };
  });
  for (const old of created.previous) forgetGaloisKeyBytes(old.fingerprint);
  const { row } = created;
  return { id: row.id, paramsId: row.paramsId, fingerprint: row.fingerprint, sizeBytes: row.sizeBytes, createdAt: row.createdAt.toISOString() };
}
