// The Pan-Tompkins signal chain (Pan and Tompkins, "A real-time QRS detection algorithm", IEEE TBME
// 32(3) 1985): band-pass, derivative, squaring, moving-window integration. The paper's integer filters
// are fixed to 200 Hz; here the band-pass is designed for the given rate and every stage is zero-phase,
// so a feature of the integrated signal lies at the time of the QRS energy that made it, with no filter
// delay to subtract later.
import { designBiquad } from "./design-biquad";
import { filterZeroPhase } from "./filter-zero-phase";

// 5-15 Hz: the band where QRS energy dominates P and T waves, baseline wander and most muscle noise
// (Pan and Tompkins 1985; Thakor, Webster and Tompkins, IEEE TBME 31(10) 1984, put the QRS spectral
// peak near 10 Hz). Each edge is a second-order Butterworth run forwards and backwards, -6 dB there.
const QRS_BAND_HZ: readonly [number, number] = [5, 15];
// The signal R peaks are located on: low-passed only, to keep the R wave's shape (a 170 bpm R has
// spectral content to ~35 Hz) and drop the high end of muscle noise. No high-pass: near the strip's
// ends a high-pass bends the baseline into deflections as large as an R wave, so the baseline is taken
// out locally, beat by beat (refine-r-peaks.ts).
const SHAPE_LOW_PASS_HZ = 40;
// Never put a low-pass cutoff closer than this fraction of the sample rate (100 Hz strips: 40 Hz).
const MAX_CUTOFF_SHARE_OF_RATE = 0.4;
// Roughly the widest QRS (Pan and Tompkins use 30 samples at 200 Hz): narrower windows split a wide
// ventricular complex into several peaks, wider ones merge the QRS with the T wave.
const INTEGRATION_WINDOW_S = 0.15;
// Padding for the zero-phase filters: many time constants of the 5 Hz high-pass.
const FILTER_PAD_S = 0.5;

export type TEcgFeatureSignals = {
  /** 5-15 Hz band-passed ECG, mV. */
  bandPassed: Float64Array;
  /** Five-point derivative of bandPassed, mV/s. */
  derivative: Float64Array;
  /** Centred moving average of the squared derivative over INTEGRATION_WINDOW_S, (mV/s)^2. */
  integrated: Float64Array;
  /** ECG low-passed at 40 Hz, mV: the QRS shape kept, for locating R peaks. */
  shape: Float64Array;
  /** Samples in the integration window. */
  integrationWindow: number;
};

function toFiniteSamples(samples: Float32Array | readonly number[]): Float64Array {
  const output = new Float64Array(samples.length);
  // Gaps (NaN from a dropped packet) hold the last finite value, leading ones the first: a zero would
  // be a step of the baseline's size, which the band-pass would turn into a QRS-like spike.
  let held = 0;
  for (let index = 0; index < samples.length; index += 1) {
    const value = samples[index] as number;
    if (Number.isFinite(value)) {
      held = value;
      break;
    }
  }
  for (let index = 0; index < samples.length; index += 1) {
    const value = samples[index] as number;
    if (Number.isFinite(value)) held = value;
    output[index] = held;
  }
  return output;
}

export function preprocessEcg(options: { samples: Float32Array | readonly number[]; sampleRateHz: number }): TEcgFeatureSignals {
  const { sampleRateHz } = options;
  const raw = toFiniteSamples(options.samples);
  const length = raw.length;
  const padLength = Math.round(FILTER_PAD_S * sampleRateHz);
  const maxCutoffHz = MAX_CUTOFF_SHARE_OF_RATE * sampleRateHz;
  const bandPassed = filterZeroPhase({
    samples: raw,
    sections: [
      designBiquad({ kind: "highpass", cutoffHz: QRS_BAND_HZ[0], sampleRateHz }),
      designBiquad({ kind: "lowpass", cutoffHz: Math.min(QRS_BAND_HZ[1], maxCutoffHz), sampleRateHz }),
    ],
    padLength,
  });
  const shape = filterZeroPhase({
    samples: raw,
    sections: [designBiquad({ kind: "lowpass", cutoffHz: Math.min(SHAPE_LOW_PASS_HZ, maxCutoffHz), sampleRateHz })],
    padLength,
  });

  // Pan and Tompkins' five-point derivative, y = (2x[n+1] + x[n+2] - x[n-2] - 2x[n-1]) / 8T, centred
  // here (the paper's causal form is delayed by two samples). Ends are clamped.
  const derivative = new Float64Array(length);
  const at = (index: number) => bandPassed[Math.min(length - 1, Math.max(0, index))] as number;
  const scale = sampleRateHz / 8;
  for (let index = 0; index < length; index += 1) {
    derivative[index] = (2 * at(index + 1) + at(index + 2) - at(index - 2) - 2 * at(index - 1)) * scale;
  }

  // Centred moving-window integration of the squared derivative. Outside the strip counts as zero, so a
  // QRS cut by the strip's edge is not inflated.
  const integrationWindow = Math.max(1, Math.round(INTEGRATION_WINDOW_S * sampleRateHz));
  const before = Math.floor((integrationWindow - 1) / 2);
  const cumulative = new Float64Array(length + 1);
  for (let index = 0; index < length; index += 1) {
    const value = derivative[index] as number;
    cumulative[index + 1] = (cumulative[index] as number) + value * value;
  }
  const integrated = new Float64Array(length);
  for (let index = 0; index < length; index += 1) {
    const from = Math.max(0, index - before);
    const to = Math.min(length, index - before + integrationWindow);
    integrated[index] = ((cumulative[to] as number) - (cumulative[from] as number)) / integrationWindow;
  }
  return { bandPassed, derivative, integrated, shape, integrationWindow };
}
