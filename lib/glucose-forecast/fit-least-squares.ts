// Ordinary least squares with a small ridge term, by Cholesky on the normal equations of standardized
// features: 16 features and ~10^5 rows, so the (k+1)^2 normal matrix is tiny and well conditioned once
// standardized.

/** Returns raw-scale weights and intercept minimizing sum (y - w.x - b)^2 + ridge * |w_std|^2. */
export function fitLeastSquares(options: { rows: readonly Float64Array[]; targets: readonly number[]; ridge?: number }): { weights: number[]; bias: number } {
  const { rows, targets } = options;
  const ridge = options.ridge ?? 1e-3;
  const count = rows.length;
  const width = (rows[0] as Float64Array).length;
  const mean = new Float64Array(width);
  const sd = new Float64Array(width);
  for (const row of rows) for (let j = 0; j < width; j += 1) mean[j] = (mean[j] as number) + (row[j] as number) / count;
  for (const row of rows) for (let j = 0; j < width; j += 1) sd[j] = (sd[j] as number) + ((row[j] as number) - (mean[j] as number)) ** 2 / count;
  // A feature that never varies (no exercise in the data) gets weight 0 instead of a division by zero.
  for (let j = 0; j < width; j += 1) sd[j] = Math.sqrt(sd[j] as number) || Number.POSITIVE_INFINITY;
  const targetMean = targets.reduce((sum, value) => sum + value, 0) / count;

  const gram = Array.from({ length: width }, () => new Float64Array(width));
  const moment = new Float64Array(width);
  const z = new Float64Array(width);
  rows.forEach((row, index) => {
    for (let j = 0; j < width; j += 1) z[j] = ((row[j] as number) - (mean[j] as number)) / (sd[j] as number);
    const y = (targets[index] as number) - targetMean;
    for (let a = 0; a < width; a += 1) {
      moment[a] = (moment[a] as number) + (z[a] as number) * y;
      const gramRow = gram[a] as Float64Array;
      for (let b = 0; b <= a; b += 1) gramRow[b] = (gramRow[b] as number) + (z[a] as number) * (z[b] as number);
    }
  });
  for (let a = 0; a < width; a += 1) {
    const gramRow = gram[a] as Float64Array;
    gramRow[a] = (gramRow[a] as number) + ridge * count;
    for (let b = 0; b < a; b += 1) (gram[b] as Float64Array)[a] = gramRow[b] as number;
  }
  const standardized = solveCholesky(gram, moment);
  const weights = Array.from(standardized, (value, j) => value / (sd[j] as number));
  const bias = targetMean - weights.reduce((sum, weight, j) => sum + weight * (mean[j] as number), 0);
  return { weights, bias };
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
