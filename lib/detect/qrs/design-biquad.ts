/** A second-order IIR section, normalised so that a0 = 1: y = b0 x + b1 x[-1] + b2 x[-2] - a1 y[-1] - a2 y[-2]. */
export type TBiquad = { b0: number; b1: number; b2: number; a1: number; a2: number };

// Q of a second-order Butterworth section: maximally flat pass band, no overshoot to ring on a QRS.
const BUTTERWORTH_Q = Math.SQRT1_2;

/**
 * A second-order Butterworth low- or high-pass section for the given sample rate, by the bilinear
 * transform with the cutoff pre-warped (R. Bristow-Johnson's "Audio EQ Cookbook" formulas), so the
 * -3 dB point lands on cutoffHz at any rate from 100 to 1000 Hz.
 */
export function designBiquad(options: { kind: "lowpass" | "highpass"; cutoffHz: number; sampleRateHz: number }): TBiquad {
  const { kind, cutoffHz, sampleRateHz } = options;
  const omega = (2 * Math.PI * cutoffHz) / sampleRateHz;
  const cos = Math.cos(omega);
  const alpha = Math.sin(omega) / (2 * BUTTERWORTH_Q);
  const a0 = 1 + alpha;
  const edge = kind === "lowpass" ? (1 - cos) / 2 : (1 + cos) / 2;
  const middle = kind === "lowpass" ? 1 - cos : -(1 + cos);
  return { b0: edge / a0, b1: middle / a0, b2: edge / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
}
