// Tier 2 on a budget for the cascade evaluation. Generating and classifying a 30 s ECGSYN-style strip
// costs tens of milliseconds, and "ECG model on every window" over 200 patient-days is ~576,000
// windows. So each patient gets a bank: for every (rhythm, 10 bpm rate bin) state the patient is
// actually in, a few strips with different seeds, generated and classified once, and every 30 s window
// is mapped to a strip from the bank of its ground-truth state (picked by a seeded hash of the patient
// and the time). The cascade asks for only a few strips a day, so each of its requests gets a strip of
// its own (classifyFresh), from the same generator and the same ground-truth state mapping: a strip
// misread by the model then costs one request, not every request that would map to it.
//
// With real strips (createRealStripClassifier, eval:cascade --real-strips) each of those strips is instead
// a real recording of the state's rhythm near its rate (lib/datasets/create-real-ecg-strip-source.ts),
// drawn by the same keys; a recording drawn again is not classified again. A rhythm the source has no
// recording of falls back to a synthetic strip, counted in the stats.
import type { TRealEcgStripSource } from "../../lib/datasets/create-real-ecg-strip-source";
import type { TEcgClassification, TEcgClassifier } from "../../lib/detect/cascade";
import { generateEcgStrip, type TEcgRhythm } from "../../lib/sim/ecg";
import { isClinicalEpisode, type TClinicalEpisodeType, type TEpisodeType } from "../../lib/sim/episodes";

/** Rhythm a strip shows during each clinical episode. */
export const EPISODE_ECG_RHYTHM: Record<TClinicalEpisodeType, TEcgRhythm> = {
  tachycardia_rest: "tachycardia",
  bradycardia: "bradycardia",
  afib: "atrial_fibrillation",
  ectopic_burst: "ventricular_ectopy",
};
/**
 * Above this rate a sinus rhythm is sinus tachycardia on the strip (the > 100 bpm definition). Stairs,
 * workouts and unlabelled runs at such rates therefore map to "tachycardia" strips: physiologically
 * they are, and an ECG read without the activity context cannot tell. Tier 1 brings that context.
 */
export const SINUS_TACHYCARDIA_BPM = 100;
/** Seconds of a loose-watch glitch in the recording that make it unreadable (a "noise" strip). */
const GLITCH_SECONDS_FOR_NOISE = 2;
const RATE_BIN_BPM = 10;

export type TStripState = { rhythm: TEcgRhythm; rateBpm: number };

/**
 * The state a strip recorded over seconds [fromS, toS) of the stream shows: the clinical episode that
 * covers at least half of it; else noise when a sensor glitch (watch not in contact) falls in it; else
 * sinus rhythm at the median reading, tachycardia above 100 bpm.
 */
export function findStripState(options: { truth: readonly (TEpisodeType | null)[]; bpm: readonly number[]; fromS: number; toS: number; fallbackBpm: number }): TStripState {
  const { truth, bpm, fallbackBpm } = options;
  const fromS = Math.max(0, options.fromS);
  const toS = Math.min(truth.length, options.toS);
  const counts = new Map<TEpisodeType, number>();
  const readings: number[] = [];
  for (let second = fromS; second < toS; second += 1) {
    const type = truth[second];
    if (type) counts.set(type, (counts.get(type) ?? 0) + 1);
    if (bpm[second]! > 0) readings.push(bpm[second]!);
  }
  readings.sort((a, b) => a - b);
  const rateBpm = readings.length ? readings[readings.length >> 1]! : fallbackBpm;
  const span = Math.max(1, toS - fromS);
  for (const [type, count] of counts) {
    if (isClinicalEpisode(type) && count * 2 >= span) return { rhythm: EPISODE_ECG_RHYTHM[type], rateBpm };
  }
  if ((counts.get("sensor_glitch") ?? 0) >= GLITCH_SECONDS_FOR_NOISE) return { rhythm: "noise", rateBpm };
  return { rhythm: rateBpm > SINUS_TACHYCARDIA_BPM ? "tachycardia" : "normal_sinus", rateBpm };
}

function hash(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index += 1) value = Math.imul(value ^ text.charCodeAt(index), 16777619);
  return value >>> 0;
}

// Rates each rhythm's strips are generated at: the state's own rate, kept inside what the rhythm means.
const RATE_LIMITS_BPM: Record<TEcgRhythm, [number, number]> = {
  normal_sinus: [40, 100],
  tachycardia: [105, 200],
  bradycardia: [25, 48],
  atrial_fibrillation: [60, 200],
  ventricular_ectopy: [40, 110],
  noise: [50, 150],
};

export type TRealStripClassifier = {
  /** The classification of the real strip the key draws for this rhythm and rate; null: no such recording. */
  classify(options: { rhythm: TEcgRhythm; rateBpm: number; key: string }): Promise<{ classification: TEcgClassification; readMs: number; classifyMs: number } | null>;
  stats(): { draws: number; distinctStrips: number; byRhythm: Record<string, number> };
};

/** Real strips for every bank of a run, each recording classified once however often it is drawn. */
export function createRealStripClassifier(options: { source: TRealEcgStripSource; classifier: TEcgClassifier }): TRealStripClassifier {
  const { source, classifier } = options;
  const classified = new Map<string, Promise<TEcgClassification>>();
  const byRhythm: Record<string, number> = {};
  let draws = 0;
  return {
    async classify({ rhythm, rateBpm, key }) {
      const started = performance.now();
      const strip = await source.pickStrip({ rhythm, heartRateBpm: rateBpm, key });
      if (!strip) return null;
      draws += 1;
      byRhythm[rhythm] = (byRhythm[rhythm] ?? 0) + 1;
      const read = performance.now();
      let result = classified.get(strip.stripId);
      if (!result) {
        result = classifier.classify({ samples: strip.samples, sampleRateHz: strip.sampleRateHz });
        classified.set(strip.stripId, result);
      }
      const classification = await result;
      return { classification, readMs: read - started, classifyMs: performance.now() - read };
    },
    stats: () => ({ draws, distinctStrips: classified.size, byRhythm: { ...byRhythm } }),
  };
}

export type TStripBank = {
  classify(options: { state: TStripState; pickKey: string }): Promise<TEcgClassification>;
  /** A new strip for this one recording (not from the bank), as the watch would record on request. */
  classifyFresh(options: { state: TStripState; recordingKey: string }): Promise<TEcgClassification>;
  stats(): { strips: number; freshStrips: number; states: number; generateMs: number; classifyMs: number; syntheticFallbacks: number };
};

export function createStripBank(options: { classifier: TEcgClassifier; seed: string; patientKey: string; variants: number; realStrips?: TRealStripClassifier }): TStripBank {
  const { classifier, seed, patientKey, variants, realStrips } = options;
  const bank = new Map<string, Promise<TEcgClassification>[]>();
  let strips = 0;
  let freshStrips = 0;
  let generateMs = 0;
  let classifyMs = 0;
  let syntheticFallbacks = 0;
  /** The real strip the key draws, classified; null without real strips or without a recording of the rhythm. */
  const classifyReal = async (rhythm: TEcgRhythm, rateBpm: number, key: string) => {
    if (!realStrips) return null;
    const real = await realStrips.classify({ rhythm, rateBpm, key });
    if (!real) {
      syntheticFallbacks += 1;
      return null;
    }
    generateMs += real.readMs;
    classifyMs += real.classifyMs;
    return real.classification;
  };
  const makeStrip = async (rhythm: TEcgRhythm, rateBpm: number, variant: number) => {
    const key = `${seed}/${patientKey}/${rhythm}/${rateBpm}/${variant}`;
    const real = await classifyReal(rhythm, rateBpm, key);
    if (real) {
      strips += 1;
      return real;
    }
    const started = performance.now();
    const strip = generateEcgStrip({ seed: key, rhythm, heartRateBpm: rateBpm });
    const generated = performance.now();
    generateMs += generated - started;
    const result = await classifier.classify({ samples: strip.samples, sampleRateHz: strip.sampleRateHz });
    classifyMs += performance.now() - generated;
    strips += 1;
    return result;
  };
  const clampRate = (state: TStripState) => {
    const [low, high] = RATE_LIMITS_BPM[state.rhythm];
    return Math.min(high, Math.max(low, state.rateBpm));
  };
  return {
    async classifyFresh({ state, recordingKey }) {
      const real = await classifyReal(state.rhythm, clampRate(state), `${seed}/${patientKey}/${recordingKey}`);
      if (real) {
        freshStrips += 1;
        return real;
      }
      const started = performance.now();
      const strip = generateEcgStrip({ seed: `${seed}/${patientKey}/${recordingKey}`, rhythm: state.rhythm, heartRateBpm: clampRate(state) });
      const generated = performance.now();
      generateMs += generated - started;
      const result = await classifier.classify({ samples: strip.samples, sampleRateHz: strip.sampleRateHz });
      classifyMs += performance.now() - generated;
      freshStrips += 1;
      return result;
    },
    async classify({ state, pickKey }) {
      const rateBpm = clampRate({ rhythm: state.rhythm, rateBpm: Math.round(state.rateBpm / RATE_BIN_BPM) * RATE_BIN_BPM });
      const key = `${state.rhythm}:${rateBpm}`;
      let entries = bank.get(key);
      if (!entries) {
        entries = [];
        bank.set(key, entries);
      }
      const variant = hash(`${patientKey}/${pickKey}`) % variants;
      // Generated on first use, one at a time per variant (a strip is only made for a state that occurs).
      entries[variant] ??= makeStrip(state.rhythm, rateBpm, variant);
      return entries[variant];
    },
    stats: () => ({ strips, freshStrips, states: bank.size, generateMs, classifyMs, syntheticFallbacks }),
  };
}
