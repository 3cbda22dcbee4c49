// Statistics for "the server learns nothing from one masked vector": a masked vector's bytes must look
// uniform, and its values must not correlate with the update it hides.

/** The chi-square value (255 degrees of freedom) that uniform bytes exceed with probability about 1e-9. */
export const BYTE_CHI_SQUARE_1E9 = 415;

/** Chi-square statistic of the byte histogram against uniform (255 degrees of freedom). */
export function byteChiSquare(vector: Uint32Array): number {
  const counts = new Array<number>(256).fill(0);
  for (const byte of new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength)) counts[byte]! += 1;
  const expected = vector.byteLength / 256;
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

/** Pearson correlation of two vectors read as signed 32-bit integers (the ring's fixed-point values). */
export function signedCorrelation(a: Uint32Array, b: Uint32Array): number {
  const x = Array.from(a, (value) => value | 0);
  const y = Array.from(b, (value) => value | 0);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let index = 0; index < x.length; index += 1) {
    sxy += (x[index]! - mx) * (y[index]! - my);
    sxx += (x[index]! - mx) ** 2;
    syy += (y[index]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
