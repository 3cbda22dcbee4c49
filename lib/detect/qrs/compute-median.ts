/** The median of a list (the mean of the two middle values for an even count); NaN for an empty list. */
export function computeMedian(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const length = sorted.length;
  if (length === 0) return Number.NaN;
  const middle = length >> 1;
  return length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
