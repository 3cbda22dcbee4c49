// Everything added to the clean ECGSYN waveform: measurement noise, baseline drift, the fibrillatory
// waves of AF and the motion artifacts of an unreadable strip. All amplitudes in mV.
import type { TRng } from "./rng";

const TWO_PI = 2 * Math.PI;

/** Broadband noise standing in for muscle (EMG) activity; white at the output rate. */
export function addMuscleNoise(options: { samples: Float32Array; rng: TRng; sdMv: number }) {
  const { samples, rng, sdMv } = options;
  if (sdMv <= 0) return;
  for (let index = 0; index < samples.length; index += 1) samples[index] = (samples[index] as number) + rng.normal(0, sdMv);
}

/** Slow non-respiratory drift (posture, electrode-skin impedance): a few random sinusoids at 0.02-0.12 Hz. */
export function addBaselineDrift(options: { samples: Float32Array; sampleRateHz: number; rng: TRng; amplitudeMv: number }) {
  const { samples, sampleRateHz, rng, amplitudeMv } = options;
  if (amplitudeMv <= 0) return;
  const components = [0, 1, 2].map(() => ({
    omega: TWO_PI * rng.uniform(0.02, 0.12),
    phase: rng.uniform(0, TWO_PI),
    amplitude: (amplitudeMv / Math.sqrt(3)) * rng.uniform(0.5, 1.5),
  }));
  for (let index = 0; index < samples.length; index += 1) {
    const t = index / sampleRateHz;
    let drift = 0;
    for (const component of components) drift += component.amplitude * Math.sin(component.omega * t + component.phase);
    samples[index] = (samples[index] as number) + drift;
  }
}

/**
 * Fibrillatory waves of AF with the sawtooth model of Stridh and Sornmo (IEEE TBME 48(1) 2001):
 * f(t) = -sum_i (2 / (i pi)) (a + da sin(2 pi fa t)) sin(i theta(t)),
 * theta(t) = 2 pi f0 t + (df / ff) sin(2 pi ff t). Atrial rates of 240-480 per minute (4-8 Hz) with
 * slow frequency and amplitude modulation; peak amplitude 30-80 uV, small against the QRS as in lead II.
 */
export function addFibrillatoryWaves(options: { samples: Float32Array; sampleRateHz: number; rng: TRng }) {
  const { samples, sampleRateHz, rng } = options;
  const harmonics = 5;
  const f0 = rng.uniform(4, 8);
  const amplitude = rng.uniform(0.03, 0.08);
  const amplitudeSwing = amplitude * rng.uniform(0.1, 0.4);
  const amplitudeHz = rng.uniform(0.1, 0.5);
  const frequencySwingHz = rng.uniform(0.1, 0.3);
  const modulationHz = rng.uniform(0.05, 0.2);
  const phase = rng.uniform(0, TWO_PI);
  const nyquistHz = sampleRateHz / 2;
  for (let index = 0; index < samples.length; index += 1) {
    const t = index / sampleRateHz;
    const theta = TWO_PI * f0 * t + (frequencySwingHz / modulationHz) * Math.sin(TWO_PI * modulationHz * t) + phase;
    const envelope = amplitude + amplitudeSwing * Math.sin(TWO_PI * amplitudeHz * t);
    let wave = 0;
    for (let harmonic = 1; harmonic <= harmonics && harmonic * (f0 + frequencySwingHz) < nyquistHz; harmonic += 1) {
      wave += (2 / (harmonic * Math.PI)) * Math.sin(harmonic * theta);
    }
    samples[index] = (samples[index] as number) - envelope * wave;
  }
}

// The input range of a typical ECG front end; beyond it the signal saturates.
const FRONT_END_RANGE_MV = 5;

/** Low-pass (two cascaded one-pole sections) white noise scaled to the requested SD. */
function lowPassNoise(rng: TRng, length: number, sampleRateHz: number, cutoffHz: number, sdMv: number): Float64Array {
  const alpha = 1 - Math.exp((-TWO_PI * cutoffHz) / sampleRateHz);
  const output = new Float64Array(length);
  let first = 0;
  let second = 0;
  let sumSquares = 0;
  let sum = 0;
  // Run in for a few time constants so the start is not special.
  const runIn = Math.ceil((5 * sampleRateHz) / cutoffHz / TWO_PI);
  for (let index = -runIn; index < length; index += 1) {
    first += alpha * (rng.normal() - first);
    second += alpha * (first - second);
    if (index >= 0) {
      output[index] = second;
      sum += second;
      sumSquares += second * second;
    }
  }
  const mean = sum / length;
  const sd = Math.sqrt(Math.max(1e-12, sumSquares / length - mean * mean));
  for (let index = 0; index < length; index += 1) output[index] = (((output[index] as number) - mean) / sd) * sdMv;
  return output;
}

/** Exponentially recovering offsets at Poisson times: baseline jumps (slow recovery) or electrode pops (fast). */
function addDecayingSteps(options: {
  samples: Float32Array;
  sampleRateHz: number;
  rng: TRng;
  ratePerS: number;
  amplitudeMv: [number, number];
  decayS: [number, number];
}) {
  const { samples, sampleRateHz, rng, ratePerS, amplitudeMv, decayS } = options;
  const durationS = samples.length / sampleRateHz;
  const nextGapS = () => -Math.log(1 - rng.next()) / ratePerS;
  for (let timeS = nextGapS(); timeS < durationS; timeS += nextGapS()) {
    const amplitude = (rng.chance(0.5) ? 1 : -1) * rng.uniform(...amplitudeMv);
    const decay = Math.exp(-1 / (rng.uniform(...decayS) * sampleRateHz));
    let offset = amplitude;
    for (let index = Math.ceil(timeS * sampleRateHz); index < samples.length && Math.abs(offset) > 1e-3; index += 1) {
      samples[index] = (samples[index] as number) + offset;
      offset *= decay;
    }
  }
}

/**
 * Turns a strip into an unreadable one, the way a wrist ECG taken while moving looks: poor contact
 * attenuates the ECG; motion artifact (0.5-2.5 Hz, the band of arm and body movement, which overlaps
 * the ECG's own) and bursts of muscle noise dominate; the baseline jumps and recovers as an AC-coupled
 * front end does; electrodes pop; mains hum may leak in; and the front end saturates, or the lead comes
 * off for a while (signal pinned to a rail). The result is near or below 0 dB SNR, the levels at which
 * the MIT-BIH Noise Stress Test Database (Moody, Muldrow, Mark 1984) stresses beat detectors hardest.
 */
export function addMotionArtifacts(options: { samples: Float32Array; sampleRateHz: number; rng: TRng }) {
  const { samples, sampleRateHz, rng } = options;
  const length = samples.length;
  const contact = rng.uniform(0.3, 0.7);
  for (let index = 0; index < length; index += 1) samples[index] = (samples[index] as number) * contact;

  const motion = lowPassNoise(rng, length, sampleRateHz, rng.uniform(0.5, 2.5), rng.uniform(0.5, 1));
  // Muscle noise comes in bursts: a slowly varying log-normal envelope (median 1, ~0.5-2x).
  const muscleEnvelope = lowPassNoise(rng, length, sampleRateHz, 0.5, 0.5);
  const muscleSd = rng.uniform(0.1, 0.3);
  for (let index = 0; index < length; index += 1) {
    const muscle = muscleSd * Math.exp(muscleEnvelope[index] as number) * rng.normal();
    samples[index] = (samples[index] as number) + (motion[index] as number) + muscle;
  }
  addDecayingSteps({ samples, sampleRateHz, rng, ratePerS: rng.uniform(0.15, 0.5), amplitudeMv: [0.5, 2.5], decayS: [0.3, 1.5] });
  addDecayingSteps({ samples, sampleRateHz, rng, ratePerS: rng.uniform(0.05, 0.3), amplitudeMv: [1.5, 4], decayS: [0.03, 0.1] });

  const mainsHz = rng.pick([50, 60]);
  if (rng.chance(0.5) && sampleRateHz > 2.4 * mainsHz) {
    const amplitude = rng.uniform(0.05, 0.2);
    const phase = rng.uniform(0, TWO_PI);
    for (let index = 0; index < length; index += 1) {
      samples[index] = (samples[index] as number) + amplitude * Math.sin((TWO_PI * mainsHz * index) / sampleRateHz + phase);
    }
  }
  if (rng.chance(0.3)) {
    const lengthSamples = Math.round(rng.uniform(0.3, 2) * sampleRateHz);
    const start = rng.int(0, Math.max(0, length - lengthSamples));
    const rail = rng.chance(0.5) ? FRONT_END_RANGE_MV : -FRONT_END_RANGE_MV;
    samples.fill(rail, start, Math.min(length, start + lengthSamples));
  }
  for (let index = 0; index < length; index += 1) {
    samples[index] = Math.min(FRONT_END_RANGE_MV, Math.max(-FRONT_END_RANGE_MV, samples[index] as number));
  }
}
