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

export type TAgreementPurpose = "pairwise-mask" | "share-encryption";

export function agreeKey(options: { privateKey: Uint8Array; peerPublicKey: Uint8Array; roundId: string; purpose: TAgreementPurpose }): Uint8Array {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: importPrivate(options.privateKey), publicKey: importPublic(options.peerPublicKey) });
  } catch {
    throw new AppError("VALIDATION_FAILED", { message: "not a usable X25519 public key" });
  }
  return new Uint8Array(hkdfSync("sha256", shared, Buffer.from(options.roundId), Buffer.from(`pulseguard-secagg/${options.purpose}`), 32));
}
