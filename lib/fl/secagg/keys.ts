// X25519 key agreement (node:crypto) on raw 32-byte keys: raw keys are what participants exchange
// through the server and what Shamir shares protect. Shared secrets go through HKDF-SHA256 with the
// round id and a purpose label, so a pairwise mask seed and a share-encryption key never coincide.
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from "node:crypto";
import { AppError } from "../../errors/app-error";

export type TKeyPair = { publicKey: Uint8Array; privateKey: Uint8Array };

// DER prefixes of PKCS#8 and SPKI for X25519 (RFC 8410): the raw key follows.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b656e032100", "hex");

export function generateKeyPair(): TKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  return {
    publicKey: new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(SPKI_PREFIX.length)),
    privateKey: new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_PREFIX.length)),
  };
}

function importPrivate(raw: Uint8Array): KeyObject {
  if (raw.byteLength !== 32) throw new AppError("VALIDATION_FAILED", { message: "X25519 keys are 32 bytes" });
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: "der", type: "pkcs8" });
}

function importPublic(raw: Uint8Array): KeyObject {
  if (raw.byteLength !== 32) throw new AppError("VALIDATION_FAILED", { message: "X25519 keys are 32 bytes" });
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

function isAllZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

// A key of this process only, to test advertised keys against: any clamped scalar works, because
// X25519 clears the cofactor, so every low-order point maps to the all-zero secret whatever the scalar.
let probeKey: KeyObject | undefined;

/**
 * Refuses a public key that cannot take part in a key agreement: the wrong length, or one of the
 * low-order points of Curve25519 (all-zero, u = 1, the order-8 points, and their non-canonical encodings
 * such as p, p + 1 or with the top bit set). With such a key every peer's shared secret is all zero
 * (RFC 7748 section 6.1), so its owner's peers could not agree a key with it, and one bad key would fail
 * the round for everyone. Checked where a key enters a round, so its sender alone is dropped.
 */
export function assertUsablePublicKey(raw: Uint8Array, name = "public key"): void {
  if (raw.byteLength !== 32) throw new AppError("VALIDATION_FAILED", { message: `${name}: X25519 keys are 32 bytes` });
  probeKey ??= createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, generateKeyPair().privateKey]), format: "der", type: "pkcs8" });
  let shared: Buffer | undefined;
  try {
    shared = diffieHellman({ privateKey: probeKey, publicKey: importPublic(raw) });
  } catch {
    // OpenSSL itself refuses a derivation that ends in the all-zero secret.
  }
  if (!shared || isAllZero(shared)) {
    throw new AppError("VALIDATION_FAILED", { message: `${name}: not a usable X25519 public key (a low-order point, RFC 7748 section 6.1)` });
  }
}

export type TAgreementPurpose = "pairwise-mask" | "share-encryption";

export function agreeKey(options: { privateKey: Uint8Array; peerPublicKey: Uint8Array; roundId: string; purpose: TAgreementPurpose }): Uint8Array {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: importPrivate(options.privateKey), publicKey: importPublic(options.peerPublicKey) });
  } catch {
    throw new AppError("VALIDATION_FAILED", { message: "not a usable X25519 public key" });
  }
  // RFC 7748 section 6.1: an all-zero secret means a low-order peer key; never derive a key from it.
  if (isAllZero(shared)) throw new AppError("VALIDATION_FAILED", { message: "not a usable X25519 public key" });
  return new Uint8Array(hkdfSync("sha256", shared, Buffer.from(options.roundId), Buffer.from(`pulseguard-secagg/${options.purpose}`), 32));
}
