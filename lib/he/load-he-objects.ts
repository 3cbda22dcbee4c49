// Server-only. Loads what a client uploaded into SEAL objects, or says with an AppError why not. SEAL's
// own load checks the header, the sizes against the context and that every coefficient is reduced; the
// checks here add what SEAL allows but the forecast cannot use (key-level ciphertexts, other scales,
// more or fewer Galois keys). Error messages name the field and the rule, never the bytes.
import type { CipherText } from "node-seal/implementation/cipher-text";
import type { GaloisKeys } from "node-seal/implementation/galois-keys";
import { AppError } from "../errors/app-error";
import { readParmsKey, type THeContext } from "./create-he-context";
import { galoisElementForStep, HE_FEATURE_SCALE, HE_PARAMS, MAX_FORECAST_CIPHERTEXT_BYTES, MAX_KEY_SET_BYTES } from "./params";

const invalid = (path: string, message: string) => new AppError("VALIDATION_FAILED", { message: `${path}: ${message}`, fields: [{ path, message }] });

/** SEAL's serialization header: magic 0xA15E, then the header size of 0x10 bytes. */
const SEAL_MAGIC = [0x5e, 0xa1] as const;
const SEAL_HEADER_BYTES = 16;

/** Cheap checks before a worker sees the bytes: size limit, SEAL magic, declared size = actual size. */
export function assertSealHeader(bytes: Uint8Array, what: string, maxBytes: number): void {
  if (bytes.byteLength > maxBytes) throw new AppError("PAYLOAD_TOO_LARGE", { message: `${what} exceeds ${maxBytes} bytes` });
  if (bytes.byteLength < SEAL_HEADER_BYTES || bytes[0] !== SEAL_MAGIC[0] || bytes[1] !== SEAL_MAGIC[1]) {
    throw new AppError("BAD_REQUEST", { message: `${what} is not a serialized SEAL object` });
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(8, true);
  if (declared !== BigInt(bytes.byteLength)) throw new AppError("BAD_REQUEST", { message: `${what} is truncated or has trailing bytes` });
}

/** SEAL's exceptions quote nothing of the data, but they are library text: keep only a short reason. */
function sealReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/[^\w .,:'-]/g, "").slice(0, 80) || "rejected";
}

/** A fresh forecast ciphertext for HE_PARAMS: first data level, two polynomials, NTT form, scale 2^26. */
export function loadForecastCiphertextOrThrow(he: THeContext, bytes: Uint8Array, onSealError?: () => void): CipherText {
  assertSealHeader(bytes, "ciphertext", MAX_FORECAST_CIPHERTEXT_BYTES);
  const ciphertext = he.seal.CipherText();
  try {
    try {
      ciphertext.loadArray(he.context, bytes);
    } catch (error) {
      onSealError?.();
      throw new AppError("BAD_REQUEST", { message: `ciphertext is not valid for ${HE_PARAMS.id} (${sealReason(error)})` });
    }
    if (readParmsKey(ciphertext.parmsId) !== he.firstParmsKey) throw invalid("ciphertext", `not at the first data level of ${HE_PARAMS.id}`);
    if (ciphertext.size !== 2) throw invalid("ciphertext", "must have exactly 2 polynomials (a fresh encryption)");
    if (!ciphertext.isNttForm) throw invalid("ciphertext", "must be in NTT form (CKKS)");
    if (ciphertext.scale !== HE_FEATURE_SCALE) throw invalid("ciphertext", `scale must be 2^${HE_PARAMS.featureScaleBits}`);
    return ciphertext;
  } catch (error) {
    ciphertext.delete();
    throw error;
  }
}

/** Exactly the Galois keys for HE_PARAMS.rotationSteps, at the key level of HE_PARAMS. */
export function loadGaloisKeysOrThrow(he: THeContext, bytes: Uint8Array, onSealError?: () => void): GaloisKeys {
  assertSealHeader(bytes, "galoisKeys", MAX_KEY_SET_BYTES);
  const keys = he.seal.GaloisKeys();
  try {
    try {
      keys.loadArray(he.context, bytes);
    } catch (error) {
      onSealError?.();
      throw new AppError("BAD_REQUEST", { message: `galoisKeys are not valid for ${HE_PARAMS.id} (${sealReason(error)})` });
    }
    const missing = HE_PARAMS.rotationSteps.filter((step) => !keys.hasKey(galoisElementForStep(step)));
    if (missing.length > 0) throw invalid("galoisKeys", `missing rotation keys for steps ${missing.join(", ")}`);
    if (keys.size !== HE_PARAMS.rotationSteps.length) throw invalid("galoisKeys", `must hold exactly the keys for steps ${HE_PARAMS.rotationSteps.join(", ")}`);
    return keys;
  } catch (error) {
    keys.delete();
    throw error;
  }
}
