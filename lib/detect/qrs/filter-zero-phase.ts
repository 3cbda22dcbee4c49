import type { TBiquad } from "./design-biquad";

/** Runs one section over data in place, forwards or backwards, starting at rest on the first value it sees. */
function runSection(data: Float64Array, section: TBiquad, isBackward: boolean): void {
  const { b0, b1, b2, a1, a2 } = section;
  const length = data.length;
  if (length === 0) return;
  const first = data[isBackward ? length - 1 : 0] as number;
  // Transposed direct form II, its two states set to the steady state for a constant input equal to the
  // first value (scipy's lfilter_zi): a signal that starts away from zero causes no start-up step.
  const dcGain = (b0 + b1 + b2) / (1 + a1 + a2);
  let z2 = (b2 - a2 * dcGain) * first;
  let z1 = (b1 - a1 * dcGain) * first + z2;
  const step = isBackward ? -1 : 1;
  for (let count = 0, index = isBackward ? length - 1 : 0; count < length; count += 1, index += step) {
    const x = data[index] as number;
    const y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    data[index] = y;
  }
}

/**
 * Forward-backward (zero-phase) filtering through a cascade of biquads, like MATLAB's and scipy's
 * filtfilt: the magnitude response is squared and the phase is zero, so filtered features stay exactly
 * where they are in the input and no group delay has to be compensated afterwards. The ends are
 * extended by an odd reflection of padLength samples (filtfilt's default, continuous in value and
 * slope) so the start-up transients fall outside the returned range.
 */
export function filterZeroPhase(options: { samples: Float64Array; sections: readonly TBiquad[]; padLength: number }): Float64Array {
  const { samples, sections } = options;
  const length = samples.length;
  if (length === 0) return new Float64Array(0);
  const pad = Math.max(0, Math.min(options.padLength, length - 1));
  const padded = new Float64Array(length + 2 * pad);
  const first = samples[0] as number;
  const last = samples[length - 1] as number;
  for (let offset = 1; offset <= pad; offset += 1) {
    padded[pad - offset] = 2 * first - (samples[offset] as number);
    padded[pad + length - 1 + offset] = 2 * last - (samples[length - 1 - offset] as number);
  }
  padded.set(samples, pad);
  for (const section of sections) runSection(padded, section, false);
  for (let index = sections.length - 1; index >= 0; index -= 1) runSection(padded, sections[index] as TBiquad, true);
  return padded.slice(pad, pad + length);
}
