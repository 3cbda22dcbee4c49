// Ordinary least squares with a small ridge term, by Cholesky on the normal equations of standardized
// features: 16 features and ~10^6 rows, so the (k+1)^2 normal matrix is tiny and well conditioned once
// standardized. The normal equations are built once and solved for every ridge strength asked for, so
// choosing the ridge on a validation split costs one pass over the data.

export type TLeastSquaresFit = { ridge: number; weights: number[]; bias: number };

/** Returns raw-scale weights and intercept minimizing sum (y - w.x - b)^2 + ridge * count * |w_std|^2. */
export function fitLeastSquares(options: { rows: readonly Float64Array[]; targets: readonly number[]; ridge?: number }): { weights: number[]; bias: number } {
  const width = (options.rows[0] as Float64Array).length;
  const matrix = new Float64Array(options.rows.length * width);
  options.rows.forEach((row, index) => matrix.set(row, index * width));
  const [fit] = fitLeastSquaresMatrix({ matrix, width, targets: Float64Array.from(options.targets), ridges: [options.ridge ?? 1e-3] });
  return { weights: (fit as TLeastSquaresFit).weights, bias: (fit as TLeastSquaresFit).bias };
}

/** The same fit on a row-major matrix (count x width), once per ridge strength in `ridges`. */
export function fitLeastSquaresMatrix(options: { matrix: Float64Array; width: number; targets: Float64Array; ridges: readonly number[] }): TLeastSquaresFit[] {
  const { matrix, width, targets } = options;
  const count = targets.length;
  const mean = new Float64Array(width);
  const sd = new Float64Array(width);
  for (let i = 0; i < count; i += 1) for (let j = 0; j < width; j += 1) mean[j] = (mean[j] as number) + (matrix[i * width + j] as number) / count;
  for (let i = 0; i < count; i += 1) for (let j = 0; j < width; j += 1) sd[j] = (sd[j] as number) + ((matrix[i * width + j] as number) - (mean[j] as number)) ** 2 / count;
  // A feature that never varies (no exercise in the data, no meal logs in real CGM traces) gets weight 0
  // instead of a division by zero.
  for (let j = 0; j < width; j += 1) sd[j] = Math.sqrt(sd[j] as number) || Number.POSITIVE_INFINITY;
  let targetMean = 0;
  for (let i = 0; i < count; i += 1) targetMean += (targets[i] as number) / count;

  const gram = Array.from({ length: width }, () => new Float64Array(width));
  const moment = new Float64Array(width);
  const z = new Float64Array(width);
  for (let i = 0; i < count; i += 1) {
    for (let j = 0; j < width; j += 1) z[j] = ((matrix[i * width + j] as number) - (mean[j] as number)) / (sd[j] as number);
    const y = (targets[i] as number) - targetMean;
    for (let a = 0; a < width; a += 1) {
      moment[a] = (moment[a] as number) + (z[a] as number) * y;
      const gramRow = gram[a] as Float64Array;
      for (let b = 0; b <= a; b += 1) gramRow[b] = (gramRow[b] as number) + (z[a] as number) * (z[b] as number);
    }
  }
  for (let a = 0; a < width; a += 1) for (let b = 0; b < a; b += 1) (gram[b] as Float64Array)[a] = (gram[a] as Float64Array)[b] as number;
  return options.ridges.map((ridge) => {
    const penalized = gram.map((row, a) => {
      const copy = Float64Array.from(row);
      // A constant feature's row is all zero; the penalty (or 1 when there is none) keeps the matrix
      // positive definite and its weight at 0.
      copy[a] = (copy[a] as number) + (ridge * count || (sd[a] === Number.POSITIVE_INFINITY ? 1 : 0));
      return copy;
    });
    const standardized = solveCholesky(penalized, moment);
    const weights = Array.from(standardized, (value, j) => value / (sd[j] as number));
    const bias = targetMean - weights.reduce((sum, weight, j) => sum + weight * (mean[j] as number), 0);
    return { ridge, weights, bias };
  });
}

function solveCholesky(matrix: Float64Array[], rhs: Float64Array): Float64Array {
  const n = rhs.length;
  const lower = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = (matrix[i] as Float64Array)[j] as number;
      for (let k = 0; k < j; k += 1) sum -= ((lower[i] as Float64Array)[k] as number) * ((lower[j] as Float64Array)[k] as number);
      if (i === j) {
        if (sum <= 0) throw new Error("normal matrix is not positive definite");
        (lower[i] as Float64Array)[i] = Math.sqrt(sum);
      } else {
        (lower[i] as Float64Array)[j] = sum / ((lower[j] as Float64Array)[j] as number);
      }
    }
  }
  const forward = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    let sum = rhs[i] as number;
    for (let k = 0; k < i; k += 1) sum -= ((lower[i] as Float64Array)[k] as number) * (forward[k] as number);
    forward[i] = sum / ((lower[i] as Float64Array)[i] as number);
  }
  const solution = new Float64Array(n);
  for (let i = n - 1; i >= 0; i -= 1) {
    let sum = forward[i] as number;
    for (let k = i + 1; k < n; k += 1) sum -= ((lower[k] as Float64Array)[i] as number) * (solution[k] as number);
    solution[i] = sum / ((lower[i] as Float64Array)[i] as number);
  }
  return solution;
}
