// Server-only. Evaluates the linear forecast on an encrypted feature vector (see PARAMETERS.md):
// multiply_plain by the weights, rotate-and-add to sum 16 slots, rescale, add the bias. The evaluator
// holds the context, the encoded weights and an evaluator; it never holds, creates or loads a secret
// key, a KeyGenerator, an Encryptor or a Decryptor. It receives the SEAL library injected, so a test
// can hand it an instrumented one and check exactly that.
import type { CipherText } from "node-seal/implementation/cipher-text";
import type { GaloisKeys } from "node-seal/implementation/galois-keys";
import { AppError, isAppError } from "../errors/app-error";
import { assertFeatureOrder, type TForecastWeights } from "../glucose-forecast/linear-model";
import { createHeContext, toSlotVector } from "./create-he-context";
import type { TSeal } from "./load-seal";
import { loadForecastCiphertextOrThrow, loadGaloisKeysOrThrow } from "./load-he-objects";
import { HE_FEATURE_SCALE, HE_PARAMS } from "./params";

export type TForecastEvaluator = {
  /** Checks uploaded Galois keys; returns their count. */
  checkGaloisKeys(galoisKeys: Uint8Array): { keyCount: number };
  /** Ciphertext in, ciphertext out (zstd-serialized); keys are looked up in a small cache by fingerprint. */
  evaluate(request: { keyFingerprint: string; galoisKeys?: Uint8Array; ciphertext: Uint8Array }): Uint8Array;
  /** Whether the key set with this fingerprint is loaded already (the request may then leave its bytes out). */
  hasKeys(keyFingerprint: string): boolean;
  /** Cached key sets (SEAL objects alive beyond one request). */
  cachedKeySets(): number;
  /** Exceptions SEAL threw into JavaScript; after one, replace the SEAL instance (see load-seal.ts). */
  sealErrorCount(): number;
  delete(): void;
};

// Loading four Galois keys costs more than a forecast; a worker keeps the last few patients' keys.
// 8 key sets x ~1.5 MB of WASM memory each.
const KEY_CACHE_SIZE = 8;

export function createForecastEvaluator(options: { seal: TSeal; weights: TForecastWeights }): TForecastEvaluator {
  assertFeatureOrder(options.weights);
  const he = createHeContext(options.seal);
  const { seal, encoder } = he;
  const evaluator = seal.Evaluator(he.context);
  // Weights at scale q1 exactly, so the rescale by q1 returns the product to the features' scale 2^26.
  const weightsPlain = encoder.encode(toSlotVector(he, options.weights.weights), he.rescalePrime);
  if (!weightsPlain) throw new Error("CKKS encode returned nothing");
  // SEAL computes the rescaled scale as (2^26 * q1) / q1 in doubles; the bias is encoded at that value.
  const resultScale = (HE_FEATURE_SCALE * he.rescalePrime) / he.rescalePrime;
  const biasPlain = encoder.encode(new Float64Array(he.slotCount).fill(options.weights.biasMgDl), resultScale);
  if (!biasPlain) throw new Error("CKKS encode returned nothing");
  const lastParmsId = he.context.lastParmsId;
  evaluator.plainModSwitchTo(biasPlain, lastParmsId, biasPlain);
  lastParmsId.delete();
  const rotationsLargestFirst = [...HE_PARAMS.rotationSteps].sort((a, b) => b - a);

  let sealErrors = 0;
  const onSealError = () => {
    sealErrors += 1;
  };
  const keyCache = new Map<string, GaloisKeys>();
  const getKeys = (fingerprint: string, bytes: Uint8Array | undefined): GaloisKeys => {
    const cached = keyCache.get(fingerprint);
    if (cached) {
      keyCache.delete(fingerprint);
      keyCache.set(fingerprint, cached);
      return cached;
    }
    if (!bytes) throw new Error("key set is not loaded and no key bytes were given");
    const keys = loadGaloisKeysOrThrow(he, bytes, onSealError);
    keyCache.set(fingerprint, keys);
    if (keyCache.size > KEY_CACHE_SIZE) {
      const [oldest, evicted] = keyCache.entries().next().value as [string, GaloisKeys];
      keyCache.delete(oldest);
      evicted.delete();
    }
    return keys;
  };

  return {
    checkGaloisKeys(galoisKeys) {
      const keys = loadGaloisKeysOrThrow(he, galoisKeys, onSealError);
      const keyCount = keys.size;
      keys.delete();
      return { keyCount };
    },
    evaluate(request) {
      const keys = getKeys(request.keyFingerprint, request.galoisKeys);
      const ciphertext = loadForecastCiphertextOrThrow(he, request.ciphertext, onSealError);
      const rotated: CipherText = seal.CipherText();
      try {
        evaluator.multiplyPlain(ciphertext, weightsPlain, ciphertext);
        // Rotate before the rescale: at scale ~2^56 the key-switching noise is negligible (PARAMETERS.md).
        for (const step of rotationsLargestFirst) {
          evaluator.rotateVector(ciphertext, step, keys, rotated);
          evaluator.add(ciphertext, rotated, ciphertext);
        }
        evaluator.rescaleToNext(ciphertext, ciphertext);
        evaluator.addPlain(ciphertext, biasPlain, ciphertext);
        return ciphertext.saveArray(seal.ComprModeType.zstd);
      } catch (error) {
        if (isAppError(error)) throw error;
        sealErrors += 1;
        // The "throws" build of SEAL refuses e.g. a result that would be transparent (an all-zero mask).
        throw new AppError("VALIDATION_FAILED", {
          message: "ciphertext: cannot be evaluated under these parameters",
          fields: [{ path: "ciphertext", message: "cannot be evaluated under these parameters" }],
        });
      } finally {
        rotated.delete();
        ciphertext.delete();
      }
    },
    hasKeys: (keyFingerprint) => keyCache.has(keyFingerprint),
    cachedKeySets: () => keyCache.size,
    sealErrorCount: () => sealErrors,
    delete() {
      for (const keys of keyCache.values()) keys.delete();
      keyCache.clear();
      weightsPlain.delete();
      biasPlain.delete();
      evaluator.delete();
      he.delete();
    },
  };
}
