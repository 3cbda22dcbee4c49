// Single-lead ECG strips for the simulated watch, with the R peaks and beat kinds as ground truth.
// A pure function of the options and the seed.
//
// Pipeline: beat plan (RR tachogram and beat kinds, ecg-rr.ts) -> per-beat P/Q/R/S/T events
// (ecg-waves.ts) -> the ECGSYN dynamical model integrated with RK4 at >= 500 Hz (ecg-dynamics.ts) ->
// decimated to the output rate -> noise and artifacts (ecg-artifacts.ts).
import { z } from "zod";
import { addBaselineDrift, addFibrillatoryWaves, addMotionArtifacts, addMuscleNoise } from "./ecg-artifacts";
import { integrateEcgDynamics } from "./ecg-dynamics";
import { ECG_RHYTHM_HEART_RATE_RANGES_BPM, ZEcgRhythmSchema, type TEcgRhythm } from "./ecg-rhythms";
import { planBeats } from "./ecg-rr";
import { buildBeatEvents, drawMorphology, type TBeatKind } from "./ecg-waves";
import { createRng } from "./rng";

export { ECG_RHYTHM_HEART_RATE_RANGES_BPM, ECG_RHYTHMS, ZEcgRhythmSchema, type TEcgRhythm } from "./ecg-rhythms";
export { decodeEcgSamples, encodeEcgSamples } from "./ecg-samples";
export type { TBeatKind } from "./ecg-waves";

/** What the watch records on request (DESIGN.md: single lead, 250 Hz, 30 s). */
export const DEFAULT_ECG_SAMPLE_RATE_HZ = 250;
export const DEFAULT_ECG_DURATION_S = 30;
/** Light noise: a good wrist recording at rest. */
export const DEFAULT_ECG_NOISE_LEVEL = 0.2;

export const ZEcgStripOptionsSchema = z.strictObject({
  seed: z.union([z.number(), z.string()]),
  rhythm: ZEcgRhythmSchema.default("normal_sinus"),
  /** Mean ventricular rate; drawn from the rhythm's range (ECG_RHYTHM_HEART_RATE_RANGES_BPM) when absent. */
  heartRateBpm: z.number().min(20).max(250).optional(),
  durationS: z.number().positive().max(600).default(DEFAULT_ECG_DURATION_S),
  sampleRateHz: z.number().int().min(100).max(2000).default(DEFAULT_ECG_SAMPLE_RATE_HZ),
  /** 0 = clean; 1 = muscle noise SD 0.1 mV, respiratory wander 0.2 mV, slow drift ~0.15 mV. */
  noiseLevel: z.number().min(0).max(1).default(DEFAULT_ECG_NOISE_LEVEL),
});
export type TEcgStripOptions = z.input<typeof ZEcgStripOptionsSchema>;

export type TEcgStrip = {
  /** Millivolts, durationS x sampleRateHz samples. */
  samples: Float32Array;
  sampleRateHz: number;
  /** R-peak times in seconds from the first sample: where the model's phase crosses the R wave. */
  beatTimesS: number[];
  /** One per beatTimesS entry: "N" conducted beat, "V" premature ventricular beat. */
  beatKinds: TBeatKind[];
  rhythm: TEcgRhythm;
  /** The mean rate the strip was generated for. */
  heartRateBpm: number;
};

// RK4 step: the narrowest wave, the R Gaussian, has a time SD of ~9 ms at 170 bpm, 4.5 steps at 500 Hz;
// against a 4 kHz reference the 500 Hz strips differ by < 5 uV (ECGSYN's own default is 256 Hz). The
// waves are band-limited (the R's spectrum has an SD of ~17 Hz at 170 bpm), so plain decimation to an
// output rate >= 100 Hz aliases nothing of note.
const MIN_INTERNAL_RATE_HZ = 500;
// mV per model unit, calibrated so that Table 1's normal beat spans ~-0.4 mV (S) to ~1.0 mV (R) at lead
// gain 1. ECGSYN instead rescales each signal to -0.4..1.2 mV, which would make amplitudes depend on the
// beats in the strip (a PVC would shrink its neighbours).
const MV_PER_MODEL_UNIT = 25;
// Lead gain per patient: wrist (lead I-like) recordings run smaller than lead II; R ~0.5-1.2 mV.
const LEAD_GAIN_RANGE: [number, number] = [0.55, 1.2];
// Breathing at 9-18 breaths per minute, which also sets the RSA frequency of the RR process.
const RESPIRATION_HZ_RANGE: [number, number] = [0.15, 0.3];
const MUSCLE_NOISE_SD_MV_AT_FULL = 0.1;
const RESPIRATORY_WANDER_MV_AT_FULL = 0.2;
const DRIFT_MV_AT_FULL = 0.15;
// Beat-to-beat amplitude variation (respiration moves the heart's electrical axis).
const BEAT_AMPLITUDE_SD = 0.03;

export function generateEcgStrip(options: TEcgStripOptions): TEcgStrip {
  const config = ZEcgStripOptionsSchema.parse(options);
  const { rhythm, durationS, sampleRateHz, noiseLevel } = config;
  const root = createRng(config.seed);
  const patientRng = root.fork("patient");
  const range = ECG_RHYTHM_HEART_RATE_RANGES_BPM[rhythm];
  const heartRateBpm = config.heartRateBpm ?? patientRng.uniform(range.minBpm, range.maxBpm);
  const respirationHz = patientRng.uniform(...RESPIRATION_HZ_RANGE);
  const leadGain = patientRng.uniform(...LEAD_GAIN_RANGE);
  const morphology = drawMorphology(patientRng);

  const plan = planBeats({ rng: root.fork("beats"), rhythm, heartRateBpm, respirationHz, durationS });
  const jitterRng = root.fork("beat-jitter");
  const beats = plan.kinds.map((kind, index) =>
    buildBeatEvents({ kind, hasP: plan.hasP[index] === true, heartRateBpm, morphology, jitter: 1 + jitterRng.normal(0, BEAT_AMPLITUDE_SD) }),
  );

  const decimation = Math.ceil(MIN_INTERNAL_RATE_HZ / sampleRateHz);
  const sampleCount = Math.round(durationS * sampleRateHz);
  const mvPerUnit = MV_PER_MODEL_UNIT * leadGain;
  const noiseRng = root.fork("noise");
  const dynamics = integrateEcgDynamics({
    beats,
    rrS: plan.rrS,
    firstBeatTimeS: plan.firstBeatTimeS,
    referenceOmegaRadS: (2 * Math.PI * heartRateBpm) / 60,
    internalRateHz: sampleRateHz * decimation,
    decimation,
    sampleCount,
    respiration: {
      amplitude: (RESPIRATORY_WANDER_MV_AT_FULL * noiseLevel) / mvPerUnit,
      frequencyHz: respirationHz,
      phaseRad: noiseRng.uniform(0, 2 * Math.PI),
    },
  });

  const samples = new Float32Array(sampleCount);
  for (let index = 0; index < sampleCount; index += 1) samples[index] = (dynamics.z[index] as number) * mvPerUnit;
  if (rhythm === "atrial_fibrillation") addFibrillatoryWaves({ samples, sampleRateHz, rng: root.fork("f-waves") });
  addBaselineDrift({ samples, sampleRateHz, rng: noiseRng.fork("drift"), amplitudeMv: DRIFT_MV_AT_FULL * noiseLevel });
  addMuscleNoise({ samples, rng: noiseRng.fork("muscle"), sdMv: MUSCLE_NOISE_SD_MV_AT_FULL * noiseLevel });
  if (rhythm === "noise") addMotionArtifacts({ samples, sampleRateHz, rng: root.fork("artifacts") });

  const beatTimesS: number[] = [];
  const beatKinds: TBeatKind[] = [];
  dynamics.beatTimesS.forEach((timeS, index) => {
    if (timeS < 0 || timeS >= durationS) return;
    beatTimesS.push(timeS);
    beatKinds.push(plan.kinds[index] ?? "N");
  });
  return { samples, sampleRateHz, beatTimesS, beatKinds, rhythm, heartRateBpm };
}
