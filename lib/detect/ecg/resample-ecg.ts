// Rate conversion to the model's input rate. Down-sampling first low-passes with a windowed-sinc FIR
// (Blackman window) below the new Nyquist frequency, then reads the filtered signal by linear
// interpolation at the output times. At 250 -> 125 Hz the output times fall on every other input sample,
// so the interpolation is exact; at other ratios the signal is band-limited to under ~0.45 of the new
// rate, where linear interpolation errs by a few percent at most at the band edge and far less for the
// QRS and slower waves.

// Cut-off as a share of the output rate: 0.4 x 125 Hz = 50 Hz, above the wrist QRS's content.
const CUTOFF_SHARE_OF_OUTPUT_RATE = 0.4;
// Transition band of a Blackman-windowed sinc is ~5.5 / taps of the input rate; 4 zero crossings of the
// sinc either side of the centre is enough for 250 -> 125 Hz and cheap (~0.2 ms for a 30 s strip).
const ZERO_CROSSINGS_PER_SIDE = 4;

function designLowPass(cutoffShareOfInputRate: number): Float32Array {
  const halfLength = Math.max(1, Math.ceil(ZERO_CROSSINGS_PER_SIDE / (2 * cutoffShareOfInputRate)));
  const length = 2 * halfLength + 1;
  const taps = new Float32Array(length);
  let sum = 0;
  for (let index = 0; index < length; index += 1) {
    const offset = index - halfLength;
    const x = 2 * cutoffShareOfInputRate * offset;
    const sinc = offset === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const window = 0.42 - 0.5 * Math.cos((2 * Math.PI * index) / (length - 1)) + 0.08 * Math.cos((4 * Math.PI * index) / (length - 1));
    taps[index] = sinc * window;
    sum += sinc * window;
  }
  // Unit gain at DC, so the baseline and the millivolt scale are kept.
  for (let index = 0; index < length; index += 1) taps[index] = (taps[index] as number) / sum;
  return taps;
}

/** The zero-phase FIR output at one input index, the edges held at the first and last sample. */
function filterAt(samples: Float32Array, taps: Float32Array, index: number): number {
  const half = (taps.length - 1) / 2;
  const last = samples.length - 1;
  let sum = 0;
  if (index >= half && index + half <= last) {
    const start = index - half;
    for (let tap = 0; tap < taps.length; tap += 1) sum += (taps[tap] as number) * (samples[start + tap] as number);
    return sum;
  }
  for (let tap = 0; tap < taps.length; tap += 1) sum += (taps[tap] as number) * (samples[Math.min(last, Math.max(0, index - half + tap))] as number);
  return sum;
}

/** Resamples a strip from fromHz to toHz; the output covers the same duration (length round(n * to / from)). */
export function resampleEcg(options: { samples: Float32Array; fromHz: number; toHz: number }): Float32Array {
  const { samples, fromHz, toHz } = options;
  if (fromHz === toHz) return Float32Array.from(samples);
  const outputLength = Math.max(1, Math.round((samples.length * toHz) / fromHz));
  // Down-sampling filters only the input samples the interpolation reads (every other one at 250 ->
  // 125 Hz), not the whole strip.
  const taps = toHz < fromHz ? designLowPass((CUTOFF_SHARE_OF_OUTPUT_RATE * toHz) / fromHz) : undefined;
  const read = (index: number) => (taps ? filterAt(samples, taps, index) : (samples[index] as number));
  const output = new Float32Array(outputLength);
  const step = fromHz / toHz;
  const last = samples.length - 1;
  for (let index = 0; index < outputLength; index += 1) {
    const position = index * step;
    const left = Math.min(last, Math.floor(position));
    const fraction = position - left;
    // Exact positions (fraction 0, or within float rounding of it) need one filtered sample, not two.
    output[index] = fraction < 1e-9 || left === last ? read(left) : read(left) * (1 - fraction) + read(left + 1) * fraction;
  }
  return output;
}
