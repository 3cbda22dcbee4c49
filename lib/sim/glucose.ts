// CGM traces of a simulated person with type 1 diabetes, with the meals, insulin and exercise that
// shaped them as ground truth for forecasting. A pure function of the options and the seed.
//
// Minute by minute: the behaviour model (glucose-routine.ts) eats, doses and exercises; the
// physiological model (glucose-model.ts: Bergman's minimal model with Hovorka's gut and subcutaneous
// insulin models and an exercise state) advances one RK4 step; every 5 min the CGM (glucose-cgm.ts)
// reads the interstitial glucose.
import { z } from "zod";
import { CGM_READING_INTERVAL_MIN, createCgmSensor } from "./glucose-cgm";
import { createGlucoseModel } from "./glucose-model";
import { drawGlucosePatient, type TGlucosePatient } from "./glucose-patient";
import {
  createBehaviour,
  drawSleepWindow,
  getLocalMinuteOfDay,
  MINUTES_PER_DAY,
  MIXED_CARBS,
  planRoutine,
  type TBehaviourAction,
  type TCarbShares,
  type TGlucoseExerciseEvent,
  type TGlucoseInsulinEvent,
  type TGlucoseMealEvent,
  type TPendingBolus,
  type TPlannedMeal,
} from "./glucose-routine";
import { createRng } from "./rng";

export { CGM_READING_INTERVAL_MIN } from "./glucose-cgm";
export type { TGlucosePatient } from "./glucose-patient";
export type { TGlucoseExerciseEvent, TGlucoseInsulinEvent, TGlucoseMealEvent, TInsulinKind, TMealKind } from "./glucose-routine";

export const ZGlucoseSimulationOptionsSchema = z.strictObject({
  seed: z.union([z.number(), z.string()]),
  /** Wall-clock time of tMin = 0; with the UTC offset it places meals and sleep in the local day. */
  startEpochMs: z.number(),
  utcOffsetMinutes: z.number().int().min(-720).max(840).default(0),
  days: z.number().positive().max(90),
  /** Fasting glucose the basal insulin holds; drawn from 100-150 mg/dL when absent. */
  basalGlucoseMgDl: z.number().min(70).max(250).optional(),
  meals: z.array(z.strictObject({ atMin: z.number().min(0), carbsG: z.number().positive().max(300) })).optional(),
  insulin: z.array(z.strictObject({ atMin: z.number().min(0), units: z.number().positive().max(50) })).optional(),
  exercise: z
    .array(z.strictObject({ atMin: z.number().min(0), durationMin: z.number().positive().max(600), intensity: z.number().min(0).max(1) }))
    .optional(),
  /** Generate a daily routine (meals, boluses, exercise, reactions to lows and highs). Default: true when no events are given. */
  autoSchedule: z.boolean().optional(),
});
export type TGlucoseSimulationOptions = z.input<typeof ZGlucoseSimulationOptionsSchema>;

export type TGlucoseReading = {
  /** Minutes since startEpochMs, a multiple of CGM_READING_INTERVAL_MIN. */
  tMin: number;
  /** What the CGM shows: whole mg/dL within 40..400. */
  glucoseMgDl: number;
  /** Plasma glucose in the model at tMin, mg/dL (0.1 resolution). */
  trueGlucoseMgDl: number;
};

export type TGlucoseSimulation = {
  startEpochMs: number;
  days: number;
  readings: TGlucoseReading[];
  /** Everything eaten, dosed and done, sorted by atMin: the ground-truth features for forecasting. */
  meals: TGlucoseMealEvent[];
  insulin: TGlucoseInsulinEvent[];
  exercise: TGlucoseExerciseEvent[];
  patient: TGlucosePatient;
};

// Dawn phenomenon: extra glucose output centred on 05:30, SD 1.5 h. Morning insulin resistance:
// lower SI centred on 08:00, SD 2 h.
const DAWN_CENTRE_MIN = 5.5 * 60;
const DAWN_SD_MIN = 90;
const MORNING_RESISTANCE_CENTRE_MIN = 8 * 60;
const MORNING_RESISTANCE_SD_MIN = 120;
// The same dose is absorbed differently from day to day and site to site: ~15 % SD of the effective
// dose (intra-individual variability of subcutaneous insulin absorption is of the order of 15-25 %;
// Heinemann, Diabetes Technol Ther 4:673 (2002)).
const INSULIN_ABSORPTION_SD = 0.15;
const RESISTANT_DAY_CHANCE = 0.06;

/** A Gaussian bump over the clock, peak 1 at centreMin, wrapping at midnight. */
function getCircadianBump(minuteOfDay: number, centreMin: number, sdMin: number): number {
  let distance = Math.abs(minuteOfDay - centreMin);
  distance = Math.min(distance, MINUTES_PER_DAY - distance);
  return Math.exp(-(distance * distance) / (2 * sdMin * sdMin));
}

export function createGlucoseSimulation(options: TGlucoseSimulationOptions): TGlucoseSimulation {
  const config = ZGlucoseSimulationOptionsSchema.parse(options);
  const root = createRng(config.seed);
  const patient = drawGlucosePatient({ rng: root.fork("patient"), basalGlucoseMgDl: config.basalGlucoseMgDl });
  const sensor = createCgmSensor(root.fork("sensor"));
  const model = createGlucoseModel({ patient, sensorLagMin: sensor.lagMin });
  const totalMin = Math.round(config.days * MINUTES_PER_DAY);
  const localStartMin = config.startEpochMs / 60_000 + config.utcOffsetMinutes;
  const hasEvents = config.meals !== undefined || config.insulin !== undefined || config.exercise !== undefined;
  const autoSchedule = config.autoSchedule ?? !hasEvents;

  const meals: TPlannedMeal[] = (config.meals ?? [])
    .filter((meal) => meal.atMin < totalMin)
    .map((meal) => ({ ...meal, kind: "meal", shares: MIXED_CARBS }));
  const insulin: TGlucoseInsulinEvent[] = (config.insulin ?? []).filter((dose) => dose.atMin < totalMin).map((dose) => ({ ...dose, kind: "bolus" }));
  const exercise: TGlucoseExerciseEvent[] = (config.exercise ?? []).filter((session) => session.atMin < totalMin).map((session) => ({ ...session }));
  const pendingBoluses: TPendingBolus[] = [];
  const sleep = drawSleepWindow(root.fork("sleep"));
  if (autoSchedule) {
    const routine = planRoutine({ rng: root.fork("routine"), patient, totalMin, localStartMin, sleep });
    meals.push(...routine.meals);
    exercise.push(...routine.exercise);
    pendingBoluses.push(...routine.boluses.filter((bolus) => bolus.atMin < totalMin));
  }

  // Inputs per minute of the simulation.
  const fastCarbsG = new Float64Array(totalMin);
  const mixedCarbsG = new Float64Array(totalMin);
  const slowCarbsG = new Float64Array(totalMin);
  const insulinU = new Float64Array(totalMin);
  const exerciseIntensity = new Float64Array(totalMin);
  const addCarbs = (minute: number, carbsG: number, shares: TCarbShares) => {
    fastCarbsG[minute] = (fastCarbsG[minute] as number) + carbsG * shares.fast;
    mixedCarbsG[minute] = (mixedCarbsG[minute] as number) + carbsG * shares.mixed;
    slowCarbsG[minute] = (slowCarbsG[minute] as number) + carbsG * shares.slow;
  };
  for (const meal of meals) addCarbs(Math.floor(meal.atMin), meal.carbsG, meal.shares);
  for (const dose of insulin) insulinU[Math.floor(dose.atMin)] = (insulinU[Math.floor(dose.atMin)] as number) + dose.units;
  for (const session of exercise) {
    const end = Math.min(totalMin, Math.floor(session.atMin + session.durationMin));
    for (let minute = Math.floor(session.atMin); minute < end; minute += 1) {
      exerciseIntensity[minute] = Math.max(exerciseIntensity[minute] as number, session.intensity);
    }
  }
  const bolusesByMinute = new Map<number, TPendingBolus[]>();
  for (const bolus of pendingBoluses) bolusesByMinute.set(bolus.atMin, [...(bolusesByMinute.get(bolus.atMin) ?? []), bolus]);

  // Insulin sensitivity drifts from day to day: a log-normal factor per day, interpolated linearly,
  // and now and then a resistant day (illness, stress, poor sleep).
  const dailyRng = root.fork("daily-sensitivity");
  const dayCount = Math.ceil(totalMin / MINUTES_PER_DAY) + 1;
  const dailyFactors = Array.from({ length: dayCount }, () => {
    const resistantDay = dailyRng.chance(RESISTANT_DAY_CHANCE) ? dailyRng.uniform(0.6, 0.8) : 1;
    return Math.exp(dailyRng.normal(0, patient.dailySensitivitySd)) * resistantDay;
  });
  const getSensitivityFactor = (tMin: number) => {
    const position = tMin / MINUTES_PER_DAY;
    const day = Math.floor(position);
    const from = dailyFactors[day] as number;
    const to = dailyFactors[Math.min(day + 1, dayCount - 1)] as number;
    return from + (to - from) * (position - day);
  };

  const absorptionRng = root.fork("insulin-absorption");
  const behaviour = createBehaviour({ rng: root.fork("behaviour"), patient, localStartMin, sleep });
  const applyActions = (tMin: number, actions: TBehaviourAction[]) => {
    for (const action of actions) {
      if (action.type === "carbs") {
        meals.push({ atMin: tMin, carbsG: action.carbsG, kind: action.kind, shares: action.shares });
        addCarbs(tMin, action.carbsG, action.shares);
      } else {
        insulin.push({ atMin: tMin, units: action.units, kind: action.kind });
        insulinU[tMin] = (insulinU[tMin] as number) + action.units;
      }
    }
  };

  const readings: TGlucoseReading[] = [];
  const stepInputs = { exerciseIntensity: 0, sensitivityFactor: 1, productionFactor: 1 };
  let lastReadingMgDl = Math.round(model.interstitialMgDl);
  for (let tMin = 0; tMin < totalMin; tMin += 1) {
    if (tMin % CGM_READING_INTERVAL_MIN === 0) {
      lastReadingMgDl = sensor.read({ tMin, interstitialMgDl: model.interstitialMgDl });
      readings.push({ tMin, glucoseMgDl: lastReadingMgDl, trueGlucoseMgDl: Math.round(model.glucoseMgDl * 10) / 10 });
      if (autoSchedule) applyActions(tMin, behaviour.onReading(tMin, lastReadingMgDl));
    }
    for (const bolus of bolusesByMinute.get(tMin) ?? []) applyActions(tMin, behaviour.settleBolus(tMin, bolus, lastReadingMgDl));
    if ((fastCarbsG[tMin] as number) > 0) model.addCarbs(fastCarbsG[tMin] as number, "fast");
    if ((mixedCarbsG[tMin] as number) > 0) model.addCarbs(mixedCarbsG[tMin] as number, "mixed");
    if ((slowCarbsG[tMin] as number) > 0) model.addCarbs(slowCarbsG[tMin] as number, "slow");
    if ((insulinU[tMin] as number) > 0) model.addInsulin((insulinU[tMin] as number) * Math.exp(absorptionRng.normal(0, INSULIN_ABSORPTION_SD)));
    stepInputs.exerciseIntensity = exerciseIntensity[tMin] as number;
    const minuteOfDay = getLocalMinuteOfDay(localStartMin, tMin);
    stepInputs.sensitivityFactor = getSensitivityFactor(tMin) * (1 - patient.morningResistance * getCircadianBump(minuteOfDay, MORNING_RESISTANCE_CENTRE_MIN, MORNING_RESISTANCE_SD_MIN));
    stepInputs.productionFactor = 1 + patient.dawnRise * getCircadianBump(minuteOfDay, DAWN_CENTRE_MIN, DAWN_SD_MIN);
    model.step(stepInputs);
  }

  const byTime = (a: { atMin: number }, b: { atMin: number }) => a.atMin - b.atMin;
  return {
    startEpochMs: config.startEpochMs,
    days: config.days,
    readings,
    meals: meals.sort(byTime).map(({ atMin, carbsG, kind }) => ({ atMin, carbsG, kind })),
    insulin: insulin.sort(byTime),
    exercise: exercise.sort(byTime),
    patient,
  };
}

/**
 * The readings with fromMin <= tMin < toMin, for a simulator that releases them as wall-clock time
 * passes (tMin = (now - startEpochMs) / 60000). Readings lie on a fixed grid, so this is a slice.
 */
export function glucoseReadingsFor(simulation: TGlucoseSimulation, fromMin: number, toMin: number): TGlucoseReading[] {
  const first = Math.max(0, Math.ceil(fromMin / CGM_READING_INTERVAL_MIN));
  const end = Math.max(first, Math.ceil(toMin / CGM_READING_INTERVAL_MIN));
  return simulation.readings.slice(first, end);
}
