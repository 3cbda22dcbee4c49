// The beat sequence of a strip: the kind of every beat, whether it has a P wave, and the RR interval
// that follows it. The ECG waveform is generated from this plan, so the plan is the ground truth.
import type { TEcgRhythm } from "./ecg-rhythms";
import type { TBeatKind } from "./ecg-waves";
import type { TRng } from "./rng";

export type TBeatPlan = {
  /** Time of beat 0's R peak (before the strip starts). */
  firstBeatTimeS: number;
  kinds: TBeatKind[];
  hasP: boolean[];
  /** rrS[j] is the interval from beat j to beat j + 1; one fewer than kinds. */
  rrS: number[];
};

// Shortest RR interval allowed: the AV node's refractory period caps the ventricular response of AF at
// roughly 200-240 bpm in the absence of an accessory pathway.
const MIN_RR_S = 0.25;

// ECGSYN's RR spectrum (McSharry et al. 2003; rrprocess in ecgsyn.m): two Gaussians in
// frequency, Mayer waves at 0.1 Hz and respiratory sinus arrhythmia at the breathing rate, each with
// SD 0.01 Hz, weighted by the LF/HF power ratio.
const MAYER_HZ = 0.1;
const SPECTRAL_SD_HZ = 0.01;

type TRrProcess = (timeS: number) => number;

/**
 * A stationary Gaussian RR process with that spectrum, synthesised as a sum of cosines with random
 * phases (ECGSYN does the same through an inverse FFT) and scaled to the requested SD.
 */
function createSinusRrProcess(options: { rng: TRng; meanRrS: number; rrSdS: number; lfHfRatio: number; respirationHz: number; spanS: number }): TRrProcess {
  const { rng, meanRrS, rrSdS, lfHfRatio, respirationHz, spanS } = options;
  const stepHz = 1 / Math.max(256, 2 * spanS);
  const frequencies: number[] = [];
  const amplitudes: number[] = [];
  const phases: number[] = [];
  let variance = 0;
  const gaussian = (frequencyHz: number, centreHz: number) => Math.exp(-((frequencyHz - centreHz) ** 2) / (2 * SPECTRAL_SD_HZ ** 2));
  for (let frequencyHz = stepHz; frequencyHz <= 0.5; frequencyHz += stepHz) {
    const near = Math.abs(frequencyHz - MAYER_HZ) < 5 * SPECTRAL_SD_HZ || Math.abs(frequencyHz - respirationHz) < 5 * SPECTRAL_SD_HZ;
    if (!near) continue;
    const power = lfHfRatio * gaussian(frequencyHz, MAYER_HZ) + gaussian(frequencyHz, respirationHz);
    const amplitude = Math.sqrt(power);
    frequencies.push(frequencyHz);
    amplitudes.push(amplitude);
    phases.push(rng.uniform(0, 2 * Math.PI));
    variance += (amplitude * amplitude) / 2;
  }
  const scale = variance > 0 ? rrSdS / Math.sqrt(variance) : 0;
  return (timeS) => {
    let rr = meanRrS;
    for (let index = 0; index < frequencies.length; index += 1) {
      rr += scale * (amplitudes[index] as number) * Math.cos(2 * Math.PI * (frequencies[index] as number) * timeS + (phases[index] as number));
    }
    return Math.max(MIN_RR_S, rr);
  };
}

// Short-term HR standard deviation (bpm) of each rhythm. ECGSYN's default is 1 bpm; resting adults show
// SDNN of ~20-50 ms over short recordings, ~1-3 bpm at 60-100 bpm. Sinus tachycardia has
// depressed variability; sinus bradycardia (often vagal) keeps it.
const HR_SD_RANGE_BPM: Record<Exclude<TEcgRhythm, "atrial_fibrillation">, [number, number]> = {
  normal_sinus: [1, 3],
  ventricular_ectopy: [1, 3],
  noise: [1, 3],
  tachycardia: [0.5, 1.5],
  bradycardia: [0.8, 2],
};

// AF ventricular response: RR intervals are close to independent draws ("irregularly irregular") with
// a coefficient of variation of ~0.15-0.35 in the AF-detection literature; drawn from 0.18-0.3 here so a
// 30 s strip is unambiguously irregular.
const AF_RR_CV_RANGE: [number, number] = [0.18, 0.3];

// PVCs: a fixed-coupling focus (coupling ~55-75 % of the sinus RR), a full compensatory pause (the
// sinus node is not reset, so the RR pair around a PVC sums to two sinus cycles), 10-30 % of beats,
// and in some strips a run of bigeminy (every other beat ventricular).
const PVC_SHARE_RANGE: [number, number] = [0.1, 0.3];
const PVC_COUPLING_RANGE: [number, number] = [0.55, 0.75];
const BIGEMINY_CHANCE = 0.3;

export function planBeats(options: {
  rng: TRng;
  rhythm: TEcgRhythm;
  heartRateBpm: number;
  respirationHz: number;
  durationS: number;
}): TBeatPlan {
  const { rng, rhythm, heartRateBpm, respirationHz, durationS } = options;
  const meanRrS = 60 / heartRateBpm;
  // Beat 0 lies one to two cycles before the strip so the strip starts at a random phase, and the plan
  // runs two cycles past its end so the last wave is complete.
  const firstBeatTimeS = -rng.uniform(1, 2) * meanRrS;
  const spanS = durationS - firstBeatTimeS + 2 * meanRrS + 1;

  const rrS: number[] = [];
  if (rhythm === "atrial_fibrillation") {
    const cv = rng.uniform(...AF_RR_CV_RANGE);
    const sigma = Math.sqrt(Math.log(1 + cv * cv));
    let total = 0;
    while (total < spanS) {
      const rr = Math.max(MIN_RR_S, meanRrS * Math.exp(rng.normal(0, sigma) - (sigma * sigma) / 2));
      rrS.push(rr);
      total += rr;
    }
    // Pin the mean to the requested rate: a strip is short enough for its sample mean to stray ~5 %.
    const factor = (meanRrS * rrS.length) / total;
    for (let index = 0; index < rrS.length; index += 1) rrS[index] = Math.max(MIN_RR_S, (rrS[index] as number) * factor);
  } else {
    const [minSd, maxSd] = HR_SD_RANGE_BPM[rhythm];
    const hrSdBpm = rng.uniform(minSd, maxSd);
    const rrProcess = createSinusRrProcess({
      rng: rng.fork("rr-process"),
      meanRrS,
      rrSdS: (60 * hrSdBpm) / (heartRateBpm * heartRateBpm),
      // ECGSYN's default LF/HF is 0.5; resting adults range to ~2 and beyond.
      lfHfRatio: rng.uniform(0.5, 2),
      respirationHz,
      spanS,
    });
    let timeS = firstBeatTimeS;
    while (timeS - firstBeatTimeS < spanS) {
      const rr = rrProcess(timeS);
      rrS.push(rr);
      timeS += rr;
    }
  }

  const beatCount = rrS.length + 1;
  const kinds: TBeatKind[] = new Array<TBeatKind>(beatCount).fill("N");
  if (rhythm === "ventricular_ectopy") placeEctopicBeats({ rng: rng.fork("ectopy"), kinds, rrS, firstBeatTimeS, durationS });
  const hasP = kinds.map((kind) => kind === "N" && rhythm !== "atrial_fibrillation");
  return { firstBeatTimeS, kinds, hasP, rrS };
}

function placeEctopicBeats(options: { rng: TRng; kinds: TBeatKind[]; rrS: number[]; firstBeatTimeS: number; durationS: number }) {
  const { rng, kinds, rrS, firstBeatTimeS, durationS } = options;
  const share = rng.uniform(...PVC_SHARE_RANGE);
  const coupling = rng.uniform(...PVC_COUPLING_RANGE);
  const beatTimes = [firstBeatTimeS];
  for (const rr of rrS) beatTimes.push((beatTimes.at(-1) as number) + rr);
  const lastEligible = kinds.length - 2;
  let bigeminyStart = -1;
  let bigeminyEnd = -1;
  if (rng.chance(BIGEMINY_CHANCE)) {
    bigeminyStart = rng.int(2, Math.max(2, lastEligible - 6));
    bigeminyEnd = bigeminyStart + rng.int(6, 16);
  }
  const canBeEctopic = (index: number) => index >= 2 && index <= lastEligible && kinds[index - 1] === "N" && kinds[index + 1] !== "V";
  for (let index = 2; index <= lastEligible; index += 1) {
    const inBigeminy = index >= bigeminyStart && index < bigeminyEnd && (index - bigeminyStart) % 2 === 1;
    if ((inBigeminy || rng.chance(share)) && canBeEctopic(index)) kinds[index] = "V";
  }
  // Every ectopy strip shows at least one PVC: the label would be wrong otherwise.
  const visible = (index: number) => (beatTimes[index] as number) > 0.5 && (beatTimes[index] as number) < durationS - 1;
  if (!kinds.some((kind, index) => kind === "V" && visible(index))) {
    let middle = beatTimes.findIndex((time) => time >= durationS / 2);
    if (middle < 2) middle = 2;
    kinds[middle - 1] = "N";
    kinds[middle + 1] = "N";
    kinds[middle] = "V";
  }
  for (let index = 1; index < kinds.length - 1; index += 1) {
    if (kinds[index] !== "V") continue;
    const sinusBefore = rrS[index - 1] as number;
    const sinusAfter = rrS[index] as number;
    const couplingS = sinusBefore * (coupling + rng.normal(0, 0.015));
    rrS[index - 1] = couplingS;
    rrS[index] = sinusBefore + sinusAfter - couplingS;
  }
}
