// t-of-n Shamir secret sharing of 32-byte secrets over GF(p), p = 2^521 - 1 (a Mersenne prime, larger
// than any 256-bit secret, so a secret is one field element). Shares are evaluated at x = 1..n, the
// participants' indexes in the round; any t shares give the secret, fewer reveal nothing about it.
import { randomBytes } from "node:crypto";
import { AppError } from "../../errors/app-error";

const P = (1n << 521n) - 1n;
const SHARE_BYTES = 66;

export type TShare = { x: number; y: Uint8Array };

const mod = (value: bigint) => ((value % P) + P) % P;

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function toBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let index = length - 1; index >= 0; index -= 1) {
    out[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  if (rest !== 0n) throw new AppError("VALIDATION_FAILED", { message: "value does not fit" });
  return out;
}

function randomFieldElement(): bigint {
  // 72 random bytes reduced mod p: the bias is below 2^-50.
  return mod(toBigInt(randomBytes(72)));
}

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

const inverse = (value: bigint) => power(value, P - 2n);

export function splitSecret(options: { secret: Uint8Array; threshold: number; xs: readonly number[] }): TShare[] {
  const { secret, threshold, xs } = options;
  if (secret.byteLength !== 32) throw new AppError("BAD_REQUEST", { message: "secrets are 32 bytes" });
  if (threshold < 2 || threshold > xs.length) throw new AppError("BAD_REQUEST", { message: `threshold must be 2..${xs.length}` });
  if (new Set(xs).size !== xs.length || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new AppError("BAD_REQUEST", { message: "share points must be distinct positive integers" });
  const coefficients = [toBigInt(secret), ...Array.from({ length: threshold - 1 }, randomFieldElement)];
  return xs.map((x) => {
    let y = 0n;
    for (let index = coefficients.length - 1; index >= 0; index -= 1) y = mod(y * BigInt(x) + (coefficients[index] as bigint));
    return { x, y: toBytes(y, SHARE_BYTES) };
  });
}

/** Lagrange interpolation at 0. The caller decides whether it holds enough shares (the threshold). */
export function combineShares(shares: readonly TShare[]): Uint8Array {
  if (shares.length === 0) throw new AppError("BAD_REQUEST", { message: "no shares" });
  if (new Set(shares.map((share) => share.x)).size !== shares.length) throw new AppError("VALIDATION_FAILED", { message: "duplicate share points" });
  let secret = 0n;
  for (const share of shares) {
    if (share.y.byteLength !== SHARE_BYTES) throw new AppError("VALIDATION_FAILED", { message: "malformed share" });
    let numerator = 1n;
    let denominator = 1n;
    for (const other of shares) {
      if (other.x === share.x) continue;
      numerator = mod(numerator * BigInt(-other.x));
      denominator = mod(denominator * BigInt(share.x - other.x));
    }
    secret = mod(secret + toBigInt(share.y) * numerator * inverse(denominator));
  }
  if (secret >= 1n << 256n) throw new AppError("VALIDATION_FAILED", { message: "shares do not combine to a 32-byte secret" });
  return toBytes(secret, 32);
}
