// Server-only. One encrypted forecast: ciphertext in, ciphertext out. The server checks who asks, that
// the request names the server's parameters and the patient's active key set, then hands the bytes to
// an HE worker. It never sees a plaintext glucose value on this path, and it logs and stores only ids,
// sizes and timings: no ciphertext, no key, no reading.
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import { AppError } from "../errors/app-error";
import { getLogger } from "../log/logger";
import { assertPatientSelfOrThrow } from "./assert-patient-self";
import { getGaloisKeyBytes } from "./get-galois-key-bytes";
import type { THeEvalPool } from "./he-eval-pool";
import { assertSealHeader } from "./load-he-objects";
import { MAX_FORECAST_CIPHERTEXT_BYTES } from "./params";
import { assertParamsId } from "./register-he-keys";

export async function evaluateEncryptedForecast(options: {
  db: TDb;
  actor: TActor;
  patientId: string;
  paramsId: string | null;
  keyFingerprint: string | null;
  /** Reads the upload; called only after the access, parameter and key checks passed. */
  readCiphertext: () => Promise<Uint8Array>;
  pool: THeEvalPool;
}): Promise<{ ciphertext: Uint8Array; modelVersion: string; keySetId: string }> {
  const { db } = options;
  const startedAt = performance.now();
  const patient = await assertPatientSelfOrThrow(options);
  assertParamsId(options.paramsId);
  const keySet = await db.heKeySet.findFirst({
    where: { patientId: patient.id, revokedAt: null },
    orderBy: { createdAt: "desc" },
    select: { id: true, fingerprint: true, paramsId: true },
  });
  if (!keySet || keySet.paramsId !== options.paramsId) throw new AppError("CONFLICT", { message: "No evaluation keys registered for these parameters: register keys first" });
  if (options.keyFingerprint !== keySet.fingerprint) {
    throw new AppError("CONFLICT", { message: "x-he-key-fingerprint is not the active key set: register keys again or use the current ones" });
  }
  const ciphertext = await options.readCiphertext();
  assertSealHeader(ciphertext, "ciphertext", MAX_FORECAST_CIPHERTEXT_BYTES);
  const uploadBytes = ciphertext.byteLength;
  const evalStartedAt = performance.now();
  // First without the ~550 KB of keys: a worker that served this key set before has them loaded.
  const firstTry = ciphertext.slice();
  let result = await options.pool.run({ type: "forecast", keyFingerprint: keySet.fingerprint, ciphertext: firstTry }, { transfer: [firstTry.buffer as ArrayBuffer] });
  if (result.type === "need-keys") {
    const galoisKeys = await getGaloisKeyBytes({ db, keySetId: keySet.id, fingerprint: keySet.fingerprint });
    if (!galoisKeys) throw new AppError("CONFLICT", { message: "The active key set has no evaluation keys: register keys again" });
    // The body was read into a buffer of its own, so it can move to the worker without a copy.
    result = await options.pool.run({ type: "forecast", keyFingerprint: keySet.fingerprint, galoisKeys, ciphertext }, { transfer: [ciphertext.buffer as ArrayBuffer] });
  }
  if (result.type !== "forecast") throw new Error("unexpected worker result");
  getLogger().info(
    {
      patientId: patient.id,
      keySetId: keySet.id,
      uploadBytes,
      resultBytes: result.ciphertext.byteLength,
      evalMs: Math.round(performance.now() - evalStartedAt),
      totalMs: Math.round(performance.now() - startedAt),
    },
    "he forecast evaluated",
  );
  return { ciphertext: result.ciphertext, modelVersion: result.modelVersion, keySetId: keySet.id };
}
