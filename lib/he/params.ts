// The one CKKS parameter set of the encrypted glucose forecast, shared by server and clients. Why these
// numbers: see PARAMETERS.md next to this file. Changing any of them is a new HE_PARAMS.id, and every
// patient registers new keys.
import { FEATURE_COUNT } from "../glucose-forecast/features";

export const HE_PARAMS = {
  /** Names the whole set below; clients send it, the server refuses any other. */
  id: "ckks-n4096-q40.30.39-s26-f16-v1",
  scheme: "ckks",
  polyModulusDegree: 4096,
  /**
   * q0 (40 bits) holds the result, q1 (30 bits) is divided away by the one rescale after the plaintext
   * multiplication, the last prime (39 bits) is the special prime for key switching (rotations).
   * 40 + 30 + 39 = 109 bits: the HomomorphicEncryption.org bound for N = 4096 at 128-bit security.
   */
  coeffModulusBits: [40, 30, 39],
  /** Scale of the encrypted features and of the result: 2^26. */
  featureScaleBits: 26,
  /** Slots the features occupy (a power of two >= FEATURE_COUNT), summed by log2(16) = 4 rotations. */
  featureSlots: 16,
  /** The only Galois keys a client generates and uploads: rotations by 1, 2, 4 and 8 slots. */
  rotationSteps: [1, 2, 4, 8],
} as const;

export type THeParams = typeof HE_PARAMS;

if (FEATURE_COUNT > HE_PARAMS.featureSlots) throw new Error("the forecast has more features than HE_PARAMS.featureSlots");

export const HE_FEATURE_SCALE = 2 ** HE_PARAMS.featureScaleBits;

// Upload limits, checked before anything is parsed. Measured sizes (zstd, seeded): a forecast ciphertext
// ~44 KB, the four Galois keys ~560 KB. The limits leave room for zlib-compressed or unseeded objects.
export const MAX_FORECAST_CIPHERTEXT_BYTES = 256 * 1024;
export const MAX_KEY_SET_BYTES = 2 * 1024 * 1024;

/** SEAL's Galois element for a left rotation by `step` slots in CKKS: 3^step mod 2N. */
export function galoisElementForStep(step: number, polyModulusDegree: number = HE_PARAMS.polyModulusDegree): number {
  const modulus = 2 * polyModulusDegree;
  let element = 1;
  for (let index = 0; index < step; index += 1) element = (element * 3) % modulus;
  return element;
}

// Request headers of the binary HE routes.
export const HE_PARAMS_HEADER = "x-he-params-id";
export const HE_KEY_FINGERPRINT_HEADER = "x-he-key-fingerprint";
export const HE_MODEL_VERSION_HEADER = "x-he-model-version";
export const HE_CONTENT_TYPE = "application/octet-stream";
