import { NORMALIZED_CLIP } from "./ecg-input-spec";

// Robust amplitude: the 99th percentile of |x - median|. On a readable strip that is close to the R-peak
// amplitude (QRS complexes fill ~10 % of the samples), so normalised strips have R ~ 1 whatever the
// lead gain or electrode contact; a few seconds of saturation or a lead-off do not set the scale, as a
// maximum or a standard deviation would let them.
const AMPLITUDE_PERCENTILE = 0.99;
// Floor: a flat or near-flat strip (lead off, 1 uV storage resolution) must not be blown up to full
// scale; 50 uV is below any readable QRS.
const MIN_AMPLITUDE_MV = 0.05;

/**
 * The value at rank round(share * (n - 1)) of `values`, by quickselect (Hoare partitioning, median-of-
 * three pivot): linear time, where sorting 3750 samples twice was the largest cost of preprocessing.
 * Reorders `values`.
 */
function selectQuantile(values: Float32Array, share: number): number {
  const k = Math.min(values.length - 1, Math.max(0, Math.round(share * (values.length - 1))));
  let low = 0;
  let high = values.length - 1;
  while (high > low) {
    const middle = (low + high) >>> 1;
    const a = values[low] as number;
    const b = values[middle] as number;
    const c = values[high] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let left = low;
    let right = high;
    while (left <= right) {
      while ((values[left] as number) < pivot) left += 1;
      while ((values[right] as number) > pivot) right -= 1;
      if (left <= right) {
        const swap = values[left] as number;
        values[left] = values[right] as number;
        values[right] = swap;
        left += 1;
        right -= 1;
      }
    }
    if (k <= right) high = right;
    else if (k >= left) low = left;
    else break;
  }
  return values[k] as number;
}

/** Centres on the median, scales by the robust amplitude, clips to +-NORMALIZED_CLIP. A new array. */
export function normalizeEcg(samples: Float32Array): { normalized: Float32Array; medianMv: number; amplitudeMv: number } {
  const scratch = Float32Array.from(samples);
  const medianMv = selectQuantile(scratch, 0.5);
  for (let index = 0; index < samples.length; index += 1) scratch[index] = Math.abs((samples[index] as number) - medianMv);
  const amplitudeMv = Math.max(MIN_AMPLITUDE_MV, selectQuantile(scratch, AMPLITUDE_PERCENTILE));
  const normalized = new Float32Array(samples.length);
  for (let index = 0; index < samples.length; index += 1) {
    const value = ((samples[index] as number) - medianMv) / amplitudeMv;
    normalized[index] = Math.min(NORMALIZED_CLIP, Math.max(-NORMALIZED_CLIP, value));
  }
  return { normalized, medianMv, amplitudeMv };
}
