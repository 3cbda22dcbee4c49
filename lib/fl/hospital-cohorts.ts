// Server-only (worker threads). Simulated hospitals for federated learning of the tier-2 ECG classifier.
// Real sites differ, and that is what makes a model trained at one site alone worse elsewhere: which
// rhythms they see (a cardiology centre sees much AF; a paediatric unit tachycardia and almost no AF; a
// geriatric ward bradycardia and ectopy), which part of each rhythm's rate range (young patients run
// fast, old ones slow), and their devices (noise, sample rate). Every site still has a few strips of
// every class in both its training and validation split, so its local validation confusion is defined.
import { z } from "zod";
import { generateEcgDataset, makeStripSpecs, selectEcgRows, type TDatasetProgress, type TEcgDataset, type TEcgStripSpec } from "../detect/ecg/train";
import { ECG_CLASSES } from "../detect/ecg/ecg-classes";
import { ECG_RHYTHMS, ZEcgRhythmSchema, type TEcgRhythm } from "../sim/ecg";
import { createRng } from "../sim/rng";

export const ZHospitalProfileSchema = z.object({
  index: z.number().int().min(0).max(49),
  name: z.string(),
  /** Prevalence of each rhythm among the site's strips (sums to 1). */
  rhythmShares: z.record(ZEcgRhythmSchema, z.number().min(0).max(1)),
  /** Part of each rhythm's ECG_RHYTHM_HEART_RATE_RANGES_BPM the site's patients fall in (fractions of the range). */
  heartRateWindow: z.object({ from: z.number().min(0).max(1), to: z.number().min(0).max(1) }),
  noiseLevels: z.array(z.number().min(0).max(1)).min(1),
  sampleRatesHz: z.array(z.number().int().min(100).max(1000)).min(1),
  /** Share of the noise strips with no readable QRS at all (lead off, hum, wander, broadband). */
  unreadableShareOfNoise: z.number().min(0).max(1),
});
export type THospitalProfile = z.infer<typeof ZHospitalProfileSchema>;

type TArchetype = Omit<THospitalProfile, "index">;

const shares = (values: [number, number, number, number, number, number]): Record<TEcgRhythm, number> =>
  Object.fromEntries(ECG_RHYTHMS.map((rhythm, index) => [rhythm, values[index]!])) as Record<TEcgRhythm, number>;

// Shares in ECG_RHYTHMS order: sinus, AF, tachycardia, bradycardia, ventricular ectopy, noise. None of the
// sites records at 360 Hz: the federated evaluation's held-out set uses it as a rate no site trained on.
const ARCHETYPES: readonly TArchetype[] = [
  // Referral cardiology: AF clinic and electrophysiology, 12-lead carts at 500 Hz, resting patients.
  { name: "cardiology-centre", rhythmShares: shares([0.17, 0.5, 0.08, 0.07, 0.13, 0.05]), heartRateWindow: { from: 0.3, to: 1 }, noiseLevels: [0, 0.1, 0.2], sampleRatesHz: [500], unreadableShareOfNoise: 0.2 },
  // Children and adolescents: fast rates, sinus and supraventricular tachycardia, AF almost never; they move.
  { name: "paediatric-unit", rhythmShares: shares([0.3, 0.02, 0.45, 0.03, 0.08, 0.12]), heartRateWindow: { from: 0.55, to: 1 }, noiseLevels: [0.3, 0.5, 0.7], sampleRatesHz: [250], unreadableShareOfNoise: 0.2 },
  // Geriatric ward telemetry: slow rates, conduction disease and ectopy, 200 Hz telemetry boxes.
  { name: "geriatric-ward", rhythmShares: shares([0.18, 0.1, 0.03, 0.38, 0.27, 0.04]), heartRateWindow: { from: 0, to: 0.45 }, noiseLevels: [0, 0.1, 0.3], sampleRatesHz: [200], unreadableShareOfNoise: 0.2 },
  // Emergency department: tachycardias, many strips spoilt by motion and hurried electrode placement.
  { name: "emergency-department", rhythmShares: shares([0.13, 0.12, 0.3, 0.05, 0.05, 0.35]), heartRateWindow: { from: 0.35, to: 1 }, noiseLevels: [0.5, 0.7, 0.9], sampleRatesHz: [250, 500], unreadableShareOfNoise: 0.3 },
  // Primary-care wearable screening: mostly healthy sinus rhythm at rest.
  { name: "wearable-screening", rhythmShares: shares([0.6, 0.05, 0.06, 0.1, 0.12, 0.07]), heartRateWindow: { from: 0, to: 0.6 }, noiseLevels: [0.1, 0.3, 0.5], sampleRatesHz: [250], unreadableShareOfNoise: 0.1 },
];

/** Fewest strips of any class a site holds: enough for 2+ in its validation split. */
export const MIN_STRIPS_PER_CLASS = 10;
export const VALIDATION_SHARE = 0.2;
// Simulator seeds of hospital strips: far above train-ecg's and the federated held-out set's.
const HOSPITAL_SEED_BASE = 100_000_000;
const SEEDS_PER_HOSPITAL = 20_000;
const SEEDS_PER_RUN = 1_000_000;

/**
 * The site at `index`: 0..4 are the five archetypes above; from 5 on, an archetype (index mod 5) with its
 * prevalences, rate window and noise jittered by a generator seeded from the index (deterministic).
 */
export function getHospitalProfile(options: { index: number }): THospitalProfile {
  const { index } = options;
  if (!Number.isInteger(index) || index < 0 || index > 49) throw new RangeError("hospital index must be 0..49");
  const archetype = ARCHETYPES[index % ARCHETYPES.length]!;
  if (index < ARCHETYPES.length) return ZHospitalProfileSchema.parse({ index, ...archetype });
  const rng = createRng(`fl-hospital-profile/${index}`);
  const jittered = ECG_RHYTHMS.map((rhythm) => archetype.rhythmShares[rhythm]! * rng.uniform(0.6, 1.6));
  const total = jittered.reduce((sum, value) => sum + value, 0);
  const shift = rng.uniform(-0.1, 0.1);
  const clamp = (value: number) => Math.min(1, Math.max(0, value));
  return ZHospitalProfileSchema.parse({
    ...archetype,
    index,
    name: `${archetype.name}-${Math.floor(index / ARCHETYPES.length) + 1}`,
    rhythmShares: Object.fromEntries(ECG_RHYTHMS.map((rhythm, position) => [rhythm, jittered[position]! / total])),
    heartRateWindow: { from: clamp(archetype.heartRateWindow.from + shift), to: clamp(archetype.heartRateWindow.to + shift) },
    noiseLevels: archetype.noiseLevels.map((level) => Math.round(clamp(level + rng.uniform(-0.05, 0.05)) * 100) / 100),
  });
}

/** Strips per rhythm for `strips` in total: the profile's shares, at least MIN_STRIPS_PER_CLASS each (largest remainder). */
export function getHospitalClassCounts(options: { profile: THospitalProfile; strips: number }): Record<TEcgRhythm, number> {
  const { profile, strips } = options;
  const floor = MIN_STRIPS_PER_CLASS * ECG_RHYTHMS.length;
  if (strips < floor) throw new RangeError(`a hospital needs at least ${floor} strips (${MIN_STRIPS_PER_CLASS} per class)`);
  const free = strips - floor;
  const totalShare = ECG_RHYTHMS.reduce((sum, rhythm) => sum + (profile.rhythmShares[rhythm] ?? 0), 0);
  const exact = ECG_RHYTHMS.map((rhythm) => ((profile.rhythmShares[rhythm] ?? 0) / totalShare) * free);
  const counts = exact.map(Math.floor);
  const order = exact.map((value, index) => ({ index, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let given = counts.reduce((sum, value) => sum + value, 0), position = 0; given < free; given += 1, position += 1) counts[order[position]!.index]! += 1;
  return Object.fromEntries(ECG_RHYTHMS.map((rhythm, index) => [rhythm, counts[index]! + MIN_STRIPS_PER_CLASS])) as Record<TEcgRhythm, number>;
}

export type THospitalCohort = {
  profile: THospitalProfile;
  train: TEcgDataset;
  validation: TEcgDataset;
  classCounts: Record<TEcgRhythm, number>;
  /** Simulator seeds used (for checks that no held-out strip shares a patient with a site). */
  seeds: { first: number; last: number };
};

/**
 * A site's strips, split per class into training and validation (VALIDATION_SHARE, at least 2 per class
 * each side). A pure function of (profile, strips, seed): `seed` is the run's seed, so two runs with
 * different seeds see different patients, and no two sites ever share a simulator seed.
 */
export async function generateHospitalCohort(options: { profile: THospitalProfile; strips: number; seed: number; workers: number; onProgress?: (progress: TDatasetProgress) => void }): Promise<THospitalCohort> {
  const { profile, strips, seed } = options;
  if (!Number.isInteger(seed) || seed < 0 || seed >= 4000) throw new RangeError("cohort seed must be an integer 0..3999");
  if (strips > SEEDS_PER_HOSPITAL) throw new RangeError(`at most ${SEEDS_PER_HOSPITAL} strips per hospital`);
  const classCounts = getHospitalClassCounts({ profile, strips });
  const seedBase = HOSPITAL_SEED_BASE + seed * SEEDS_PER_RUN + profile.index * SEEDS_PER_HOSPITAL;
  const specs: TEcgStripSpec[] = makeStripSpecs({
    perClass: classCounts,
    seedBase,
    label: `hospital-${profile.index}`,
    rngLabel: `fl-hospital/${profile.index}/${seed}`,
    noiseLevels: profile.noiseLevels,
    sampleRatesHz: profile.sampleRatesHz,
    unreadableShare: profile.unreadableShareOfNoise,
    heartRateWindow: profile.heartRateWindow,
  });
  const dataset = await generateEcgDataset({ specs, workers: options.workers, onProgress: options.onProgress });
  // Stratified split: within each class a seeded shuffle, then the first share goes to validation.
  const rng = createRng(`fl-hospital-split/${profile.index}/${seed}`);
  const trainRows: number[] = [];
  const validationRows: number[] = [];
  // By the class the model learns (simulated tachycardia and bradycardia are sinus rhythm).
  ECG_CLASSES.forEach((_, classIndex) => {
    const rows = specs.filter((spec) => dataset.labels[spec.index] === classIndex).map((spec) => spec.index);
    for (let index = rows.length - 1; index > 0; index -= 1) {
      const other = rng.int(0, index);
      [rows[index], rows[other]] = [rows[other]!, rows[index]!];
    }
    const validationCount = Math.max(2, Math.round(rows.length * VALIDATION_SHARE));
    validationRows.push(...rows.slice(0, validationCount));
    trainRows.push(...rows.slice(validationCount));
  });
  return {
    profile,
    train: selectEcgRows({ parts: [{ dataset, rows: trainRows }] }),
    validation: selectEcgRows({ parts: [{ dataset, rows: validationRows }] }),
    classCounts,
    seeds: { first: seedBase, last: seedBase + specs.length - 1 },
  };
}
