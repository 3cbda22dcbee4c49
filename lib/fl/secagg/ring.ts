// Fixed-point vectors in the ring Z/2^32: updates are clipped, scaled to integers and added modulo 2^32,
// so masks (uniform in the ring) hide each input completely and cancel exactly in the sum.
import { AppError } from "../../errors/app-error";

export const RING_BITS = 32;

/**
 * Scale for fixed point such that the sum of `participants` clipped values can never wrap around:
 * participants x clip x scale < 2^31 (the sum is read back as a signed 32-bit integer).
 */
export function getFixedPointScale(options: { clip: number; participants: number }): number {
  const { clip, participants } = options;
  if (!(clip > 0) || !(participants >= 1)) throw new AppError("BAD_REQUEST", { message: "clip and participants must be positive" });
  return Math.floor((2 ** 31 - 1) / (participants * clip));
}

/** Clips each coordinate to [-clip, clip] and maps it to Z/2^32 (two's complement). */
export function quantizeVector(values: ArrayLike<number>, options: { clip: number; scale: number }): Uint32Array {
  const out = new Uint32Array(values.length);
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    const clipped = Number.isFinite(value) ? Math.max(-options.clip, Math.min(options.clip, value)) : 0;
    out[index] = Math.round(clipped * options.scale) >>> 0;
  }
  return out;
}

/** Reads a sum in Z/2^32 back as signed integers divided by the scale. */
export function dequantizeVector(sum: Uint32Array, scale: number): Float64Array {
  const out = new Float64Array(sum.length);
  for (let index = 0; index < sum.length; index += 1) out[index] = ((sum[index] as number) | 0) / scale;
  return out;
}

export function addInto(target: Uint32Array, addend: Uint32Array): void {
  if (target.length !== addend.length) throw new AppError("VALIDATION_FAILED", { message: `vector length ${addend.length}, expected ${target.length}` });
  for (let index = 0; index < target.length; index += 1) target[index] = ((target[index] as number) + (addend[index] as number)) >>> 0;
}

export function subtractInto(target: Uint32Array, subtrahend: Uint32Array): void {
  if (target.length !== subtrahend.length) throw new AppError("VALIDATION_FAILED", { message: `vector length ${subtrahend.length}, expected ${target.length}` });
  for (let index = 0; index < target.length; index += 1) target[index] = ((target[index] as number) - (subtrahend[index] as number)) >>> 0;
}
