// The patient's side of the encrypted forecast, shared by the CLI and the browser panel: key generation,
// encryption of the features, decryption of the result. The secret key is created here and leaves only
// through exportSecretKey(), to the patient's own storage (a 0600 file, IndexedDB); nothing here sends it.
import type { SecretKey } from "node-seal/implementation/secret-key";
import { FEATURE_COUNT } from "../glucose-forecast/features";
import { createHeContext, toSlotVector, type THeContext } from "./create-he-context";
import type { TSeal } from "./load-seal";
import { HE_FEATURE_SCALE, HE_PARAMS } from "./params";

export type THeClient = {
  /** The secret key, serialized: store it where only the patient can read it. */
  exportSecretKey(): Uint8Array;
  /** The public evaluation keys the server needs (Galois keys for HE_PARAMS.rotationSteps), serialized. */
  createEvaluationKeys(): Uint8Array;
  /** The 16 features, encrypted symmetrically (seeded, zstd): the per-forecast upload. */
  encryptFeatures(features: ArrayLike<number>): Uint8Array;
  /** Slot 0 of the server's result: the forecast in mg/dL. */
  decryptForecast(ciphertext: Uint8Array): number;
  delete(): void;
};

/** A client with a new secret key, or with one loaded from the patient's storage. */
export function createHeClient(options: { seal: TSeal; secretKey?: Uint8Array }): THeClient {
  const he: THeContext = createHeContext(options.seal);
  const { seal, context, encoder } = he;
  let secretKey: SecretKey;
  if (options.secretKey) {
    secretKey = seal.SecretKey();
    try {
      secretKey.loadArray(context, options.secretKey);
    } catch (error) {
      secretKey.delete();
      he.delete();
      throw new Error(`stored HE secret key does not fit ${HE_PARAMS.id}: ${error instanceof Error ? error.message : "unreadable"}`);
    }
  } else {
    const generator = seal.KeyGenerator(context);
    secretKey = generator.secretKey();
    generator.delete();
  }
  // The Encryptor wants a public key even for symmetric encryption; it is made here and never leaves.
  const keyGenerator = seal.KeyGenerator(context, secretKey);
  const publicKey = keyGenerator.createPublicKey();
  const encryptor = seal.Encryptor(context, publicKey, secretKey);
  const decryptor = seal.Decryptor(context, secretKey);

  return {
    exportSecretKey: () => secretKey.saveArray(seal.ComprModeType.zstd),
    createEvaluationKeys() {
      const serializable = keyGenerator.createGaloisKeysSerializable(Int32Array.from(HE_PARAMS.rotationSteps));
      try {
        return serializable.saveArray(seal.ComprModeType.zstd);
      } finally {
        serializable.delete();
      }
    },
    encryptFeatures(features) {
      if (features.length !== FEATURE_COUNT) throw new Error(`expected ${FEATURE_COUNT} features, got ${features.length}`);
      for (let index = 0; index < features.length; index += 1) {
        if (!Number.isFinite(features[index])) throw new Error("features must be finite numbers");
      }
      const plain = encoder.encode(toSlotVector(he, features), HE_FEATURE_SCALE);
      if (!plain) throw new Error("CKKS encode returned nothing");
      try {
        // Symmetric and seeded: the random half of the ciphertext travels as a seed, halving the upload.
        const serializable = encryptor.encryptSymmetricSerializable(plain);
        try {
          return serializable.saveArray(seal.ComprModeType.zstd);
        } finally {
          serializable.delete();
        }
      } finally {
        plain.delete();
      }
    },
    decryptForecast(bytes) {
      const ciphertext = seal.CipherText();
      try {
        ciphertext.loadArray(context, bytes);
        const plain = decryptor.decrypt(ciphertext);
        if (!plain) throw new Error("decrypt returned nothing");
        try {
          return encoder.decode(plain)[0] as number;
        } finally {
          plain.delete();
        }
      } finally {
        ciphertext.delete();
      }
    },
    delete() {
      decryptor.delete();
      encryptor.delete();
      publicKey.delete();
      keyGenerator.delete();
      secretKey.delete();
      he.delete();
    },
  };
}
