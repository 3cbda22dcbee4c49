// Scenarios say which simulated patient has which episode when, so a simulator run and a detector
// evaluation can be replayed exactly. They are JSON files (lib/sim/scenarios/) or generated at random.
import { readFileSync } from "node:fs";
import { z, ZodError } from "zod";
import { AppError, isAppError } from "../errors/app-error";
import { zodIssuesToFields } from "../errors/to-error-body";
import { getLocalHour } from "./circadian";
import {
  BENIGN_EPISODE_TYPES,
  CLINICAL_EPISODE_TYPES,
  EPISODE_DURATION_RANGE_S,
  ZEpisodeListSchema,
  type TEpisode,
  type TEpisodeType,
} from "./episodes";
import type { THeartRateOptions } from "./heart-rate";
import { createRng, type TRng } from "./rng";

export const ZScenarioPatientSchema = z.strictObject({
  patientKey: z.string().min(1).max(200),
  restingBpm: z.number().min(35).max(120).optional(),
  ageYears: z.number().min(5).max(120).optional(),
  utcOffsetMinutes: z.number().int().min(-720).max(840).optional(),
  episodes: ZEpisodeListSchema,
});
export type TScenarioPatient = z.infer<typeof ZScenarioPatientSchema>;

export const ZScenarioSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    seed: z.union([z.number().int(), z.string().min(1)]),
    /** Wall-clock time of second 0; absent = the simulator's start time. */
    startEpochMs: z.number().int().min(0).optional(),
    /** Simulated seconds per real second. */
    speedup: z.number().positive().max(100_000).optional(),
    patients: z.array(ZScenarioPatientSchema).min(1),
  })
  .superRefine((scenario, context) => {
    const seen = new Set<string>();
    scenario.patients.forEach((patient, index) => {
      if (seen.has(patient.patientKey)) {
        context.addIssue({ code: "custom", path: ["patients", index, "patientKey"], message: `duplicate patientKey "${patient.patientKey}"` });
      }
      seen.add(patient.patientKey);
    });
  });
export type TScenario = z.infer<typeof ZScenarioSchema>;

/**
 * Validates a scenario given as parsed JSON or as JSON text. Throws a ZodError whose issues carry the
 * path of each bad field (e.g. `patients.2.episodes.0.type`); unreadable JSON text is a MALFORMED_JSON
 * AppError.
 */
export function parseScenario(json: unknown): TScenario {
  let value = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new AppError("MALFORMED_JSON", { message: `Scenario is not valid JSON: ${(error as Error).message}` });
    }
  }
  return ZScenarioSchema.parse(value);
}

/**
 * Reads and validates a scenario file. Errors name the file; validation failures list every bad field
 * as `path: message`, and carry them as AppError fields. Server-side only (node:fs).
 */
export function loadScenarioFile(filePath: string): TScenario {
  let text: string;
  try {
    text = readFileSync(filePath, "utf8");
  } catch (error) {
    throw new AppError("NOT_FOUND", { message: `Cannot read scenario file ${filePath}: ${(error as Error).message}` });
  }
  try {
    return parseScenario(text);
  } catch (error) {
    if (error instanceof ZodError) {
      const fields = zodIssuesToFields(error);
      const lines = fields.map((field) => `  ${field.path}: ${field.message}`);
      throw new AppError("VALIDATION_FAILED", { message: `Invalid scenario file ${filePath}:\n${lines.join("\n")}`, fields });
    }
    if (isAppError(error)) throw new AppError(error.code, { message: `${filePath}: ${error.message}` });
    throw error;
  }
}

/**
 * Heart-rate generator options for one scenario patient. Each patient's stream is seeded from the
 * scenario seed and the patient key, so patients differ and adding a patient does not change the others.
 */
export function createPatientHeartRateOptions(options: {
  scenario: TScenario;
  patient: TScenarioPatient;
  /** Used when the scenario has no startEpochMs (e.g. the simulator's start time). */
  fallbackStartEpochMs?: number;
}): THeartRateOptions {
  const { scenario, patient } = options;
  return {
    seed: `${scenario.seed}/${patient.patientKey}`,
    startEpochMs: scenario.startEpochMs ?? options.fallbackStartEpochMs ?? 0,
    episodes: patient.episodes,
    ...(patient.restingBpm === undefined ? {} : { restingBpm: patient.restingBpm }),
    ...(patient.ageYears === undefined ? {} : { ageYears: patient.ageYears }),
    ...(patient.utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes: patient.utcOffsetMinutes }),
  };
}

export const ZRandomScenarioOptionsSchema = z.strictObject({
  seed: z.union([z.number().int(), z.string().min(1)]),
  patientCount: z.number().int().min(1).max(100_000),
  days: z.number().int().min(1).max(366),
  clinicalEpisodesPerPatientDay: z.number().min(0).max(20),
  benignEpisodesPerPatientDay: z.number().min(0).max(20),
  name: z.string().min(1).optional(),
  /** Defaults to 0 (midnight UTC), so with offset 0 each scenario day is a calendar day. */
  startEpochMs: z.number().int().min(0).default(0),
  utcOffsetMinutes: z.number().int().min(-720).max(840).default(0),
});
export type TRandomScenarioOptions = z.input<typeof ZRandomScenarioOptionsSchema>;

const SECONDS_PER_DAY = 86_400;
// Quiet time between episodes, so each one starts from the patient's ordinary state; a workout's
// recovery takes longer than the others'.
const EPISODE_SPACING_S = 600;
const AFTER_WORKOUT_SPACING_S = 2700;
// Stairs and workouts happen while awake: local 07:30-21:30, inside the default 23:00-07:00 sleep window.
const ACTIVE_FROM_HOUR = 7.5;
const ACTIVE_UNTIL_HOUR = 21.5;

/** Cycles through every type in a fresh random order, so each type appears once per round. */
function createTypeDeck<T>(rng: TRng, types: readonly T[]): () => T {
  let deck: T[] = [];
  return () => {
    if (deck.length === 0) {
      deck = [...types];
      for (let index = deck.length - 1; index > 0; index -= 1) {
        const swap = rng.int(0, index);
        [deck[index], deck[swap]] = [deck[swap]!, deck[index]!];
      }
    }
    return deck.pop()!;
  };
}

/** A count with the given mean: the integer part always, one more with the fractional part's chance. */
function drawCount(rng: TRng, mean: number): number {
  const whole = Math.floor(mean);
  return whole + (rng.chance(mean - whole) ? 1 : 0);
}

function drawDurationS(rng: TRng, type: TEpisodeType): number {
  const { minS, typicalS, maxS } = EPISODE_DURATION_RANGE_S[type];
  // Log-normal around the typical duration, clipped to the range.
  return Math.round(Math.min(maxS, Math.max(minS, typicalS * Math.exp(rng.normal(0, 0.5)))));
}

function spacingAfterS(type: TEpisodeType): number {
  return type === "workout" ? AFTER_WORKOUT_SPACING_S : EPISODE_SPACING_S;
}

function isClear(placed: readonly TEpisode[], candidate: TEpisode): boolean {
  const candidateEndS = candidate.startS + candidate.durationS;
  return placed.every(
    (other) =>
      candidateEndS + spacingAfterS(candidate.type) <= other.startS ||
      other.startS + other.durationS + spacingAfterS(other.type) <= candidate.startS,
  );
}

/**
 * A random scenario: patients with plausible resting rates and ages, and non-overlapping episodes
 * spaced apart. Episode types are dealt from shuffled decks (clinical and benign separately), so every
 * type appears once there are at least 4 clinical and 3 benign episodes in total. Exercise look-alikes
 * fall in waking hours; clinical episodes and glitches can happen at any time, asleep included. An
 * episode that finds no room in its day after many tries is left out, so very high rates saturate.
 */
export function createRandomScenario(options: TRandomScenarioOptions): TScenario {
  const config = ZRandomScenarioOptionsSchema.parse(options);
  const rng = createRng(`scenario/${config.seed}`);
  const dealClinical = createTypeDeck(rng.fork("clinical-types"), CLINICAL_EPISODE_TYPES);
  const dealBenign = createTypeDeck(rng.fork("benign-types"), BENIGN_EPISODE_TYPES);
  const patientRng = rng.fork("patients");
  const placementRng = rng.fork("placement");

  const isAwakeTime = (startS: number, durationS: number) => {
    const hourAt = (offsetS: number) =>
      getLocalHour({ epochMs: config.startEpochMs + offsetS * 1000, utcOffsetMinutes: config.utcOffsetMinutes });
    const startHour = hourAt(startS);
    const endHour = hourAt(startS + durationS);
    return startHour >= ACTIVE_FROM_HOUR && endHour <= ACTIVE_UNTIL_HOUR && endHour >= startHour;
  };

  const patients: TScenarioPatient[] = [];
  const keyWidth = String(config.patientCount).length;
  for (let patientIndex = 0; patientIndex < config.patientCount; patientIndex += 1) {
    const episodes: TEpisode[] = [];
    for (let day = 0; day < config.days; day += 1) {
      const wanted: { type: TEpisodeType; durationS: number }[] = [];
      const clinicalCount = drawCount(placementRng, config.clinicalEpisodesPerPatientDay);
      const benignCount = drawCount(placementRng, config.benignEpisodesPerPatientDay);
      for (let index = 0; index < clinicalCount; index += 1) {
        const type = dealClinical();
        wanted.push({ type, durationS: drawDurationS(placementRng, type) });
      }
      for (let index = 0; index < benignCount; index += 1) {
        const type = dealBenign();
        wanted.push({ type, durationS: drawDurationS(placementRng, type) });
      }
      // Longest first: they are the hardest to fit.
      wanted.sort((a, b) => b.durationS - a.durationS);
      const dayStartS = day * SECONDS_PER_DAY;
      const placedToday: TEpisode[] = [];
      for (const { type, durationS } of wanted) {
        const needsAwake = type === "stairs" || type === "workout";
        for (let attempt = 0; attempt < 200; attempt += 1) {
          const startS = dayStartS + placementRng.int(0, SECONDS_PER_DAY - durationS - 1);
          const candidate = { type, startS, durationS };
          if (needsAwake && !isAwakeTime(startS, durationS)) continue;
          if (!isClear(placedToday, candidate) || !isClear(episodes.slice(-2), candidate)) continue;
          placedToday.push(candidate);
          break;
        }
      }
      episodes.push(...placedToday.sort((a, b) => a.startS - b.startS));
    }
    patients.push({
      patientKey: `patient-${String(patientIndex + 1).padStart(keyWidth, "0")}`,
      restingBpm: patientRng.int(55, 80),
      ageYears: patientRng.int(25, 85),
      utcOffsetMinutes: config.utcOffsetMinutes,
      episodes,
    });
  }

  return ZScenarioSchema.parse({
    name: config.name ?? `random-${config.seed}`,
    seed: config.seed,
    startEpochMs: config.startEpochMs,
    patients,
  });
}
