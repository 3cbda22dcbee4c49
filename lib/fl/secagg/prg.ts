// The pseudorandom generator that expands a 32-byte seed into a mask over Z/2^32: AES-256 in counter
// mode over zeros (the PRG of Bonawitz et al.'s implementation notes). Both ends of a pairwise mask
// expand the same seed, so the masks cancel exactly.
import { createCipheriv } from "node:crypto";

const ZERO_IV = Buffer.alloc(16);

export function expandMask(seed: Uint8Array, length: number): Uint32Array {
  if (seed.byteLength !== 32) throw new Error("mask seeds are 32 bytes");
  const cipher = createCipheriv("aes-256-ctr", seed, ZERO_IV);
  const bytes = Buffer.concat([cipher.update(Buffer.alloc(length * 4)), cipher.final()]);
  // Copy into an aligned buffer: Buffer slices from the pool may start at an odd offset.
  const out = new Uint32Array(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
