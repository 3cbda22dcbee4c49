// How a person with type 1 diabetes lives with it: a daily routine of meals, snacks, boluses and
// exercise planned ahead, and reactions to what the CGM shows (treating lows, correcting highs). The
// imperfections (carb-count errors, late and forgotten boluses, over-treated lows, unplanned
// activity) are what make a real CGM trace wander in and out of range.
import type { TGlucosePatient } from "./glucose-patient";
import type { TRng } from "./rng";

export type TMealKind = "meal" | "snack" | "hypo_treatment";
export type TInsulinKind = "meal_bolus" | "correction" | "bolus";

export type TGlucoseMealEvent = { atMin: number; carbsG: number; kind: TMealKind };
/** How a meal's carbohydrate splits between fast, mixed and slow absorption (shares sum to 1). */
export type TCarbShares = { fast: number; mixed: number; slow: number };
export type TPlannedMeal = TGlucoseMealEvent & { shares: TCarbShares };

export const MIXED_CARBS: TCarbShares = { fast: 0, mixed: 1, slow: 0 };
const FAST_CARBS: TCarbShares = { fast: 1, mixed: 0, slow: 0 };
const SNACK_CARBS: TCarbShares = { fast: 0.5, mixed: 0.5, slow: 0 };

/** A quarter of meals are quick (refined starch, sugary drinks), a quarter fatty or protein-rich. */
function drawMealShares(rng: TRng): TCarbShares {
  const draw = rng.next();
  if (draw < 0.25) return { fast: 0.4, mixed: 0.6, slow: 0 };
  if (draw < 0.75) return MIXED_CARBS;
  return { fast: 0, mixed: 0.4, slow: 0.6 };
}
export type TGlucoseInsulinEvent = { atMin: number; units: number; kind: TInsulinKind };
export type TGlucoseExerciseEvent = { atMin: number; durationMin: number; intensity: number };

/** A bolus the patient means to take for a meal; its dose is settled when due, from the CGM then. */
export type TPendingBolus = { atMin: number; carbEstimateG: number; reduction: number };

export const MINUTES_PER_DAY = 1440;

// Thresholds patients act on: CGM low alert at 70 mg/dL and urgent-low alarm at 55 (the level-1 and
// roughly level-2 hypoglycaemia thresholds of the International Consensus on Time in Range, Battelino
// et al., Diabetes Care 42:1593 (2019)), correction of highs above 250 (its level-2 hyperglycaemia).
const LOW_ALERT_MG_DL = 70;
const URGENT_LOW_MG_DL = 55;
const HIGH_CORRECTION_MG_DL = 250;
// The "rule of 15": 15 g of fast carbohydrate, recheck after 15 min (ADA Standards of Care).
const HYPO_TREATMENT_G = 15;
const HYPO_RECHECK_MIN = 15;
const CORRECTION_TARGET_MG_DL = 120;
// Pens dose in half units.
const DOSE_STEP_U = 0.5;

function roundDose(units: number): number {
  return Math.round(units / DOSE_STEP_U) * DOSE_STEP_U;
}

/** Minutes since local midnight for a simulation minute. */
export function getLocalMinuteOfDay(localStartMin: number, tMin: number): number {
  return (((localStartMin + tMin) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
}

export type TSleepWindow = { bedMin: number; wakeMin: number };

export function isAsleep(sleep: TSleepWindow, minuteOfDay: number): boolean {
  return minuteOfDay >= sleep.bedMin || minuteOfDay < sleep.wakeMin;
}

/**
 * Meals at jittered times (breakfast ~7:00, lunch ~12:30, dinner ~18:45; 20-90 g), 0-2 snacks a day,
 * exercise on about a third of days, and the intended bolus for each meal.
 */
export function planRoutine(options: { rng: TRng; patient: TGlucosePatient; totalMin: number; localStartMin: number; sleep: TSleepWindow }) {
  const { rng, patient, totalMin, localStartMin, sleep } = options;
  const meals: TPlannedMeal[] = [];
  const exercise: TGlucoseExerciseEvent[] = [];
  const boluses: TPendingBolus[] = [];
  const firstMidnight = -getLocalMinuteOfDay(localStartMin, 0);
  const clampMinute = (value: number, min: number, max: number) => Math.round(Math.min(max, Math.max(min, value)));

  for (let dayStart = firstMidnight; dayStart < totalMin; dayStart += MINUTES_PER_DAY) {
    const dayMeals: { minuteOfDay: number; carbsG: number; kind: TMealKind; bolusChance: number }[] = [];
    if (!rng.chance(0.1)) dayMeals.push({ minuteOfDay: clampMinute(rng.normal(7 * 60, 40), sleep.wakeMin + 10, 10 * 60), carbsG: rng.uniform(25, 65), kind: "meal", bolusChance: 1 });
    dayMeals.push({ minuteOfDay: clampMinute(rng.normal(12.5 * 60, 40), 11 * 60, 14.5 * 60), carbsG: rng.uniform(35, 80), kind: "meal", bolusChance: 1 });
    dayMeals.push({ minuteOfDay: clampMinute(rng.normal(18.75 * 60, 50), 17 * 60, 21 * 60), carbsG: rng.uniform(40, 90), kind: "meal", bolusChance: 1 });
    for (const [from, to] of [
      [10 * 60, 11.5 * 60],
      [15 * 60, 17 * 60],
      [21 * 60, 22.5 * 60],
    ] as const) {
      // Snacks are often eaten without a bolus.
      if (rng.chance(0.45)) dayMeals.push({ minuteOfDay: Math.round(rng.uniform(from, to)), carbsG: rng.uniform(10, 40), kind: "snack", bolusChance: 0.35 });
    }

    let exerciseWindow: { start: number; end: number } | null = null;
    if (rng.chance(0.35)) {
      const startOfDay = rng.chance(0.3) ? rng.normal(7.5 * 60, 30) : rng.normal(17.5 * 60, 60);
      const start = dayStart + clampMinute(startOfDay, sleep.wakeMin, 21 * 60);
      const durationMin = Math.round(rng.uniform(25, 70));
      if (start >= 0 && start < totalMin) {
        exercise.push({ atMin: start, durationMin, intensity: rng.uniform(0.3, 0.8) });
        exerciseWindow = { start, end: start + durationMin };
        // Some eat a small unbolused snack before exercising, as the consensus suggests.
        if (rng.chance(0.3)) meals.push({ atMin: Math.max(0, start - 15), carbsG: Math.round(rng.uniform(15, 30)), kind: "snack", shares: SNACK_CARBS });
      }
    }

    for (const meal of dayMeals) {
      const atMin = dayStart + meal.minuteOfDay;
      if (atMin < 0 || atMin >= totalMin) continue;
      const carbsG = Math.round(meal.carbsG);
      meals.push({ atMin, carbsG, kind: meal.kind, shares: meal.kind === "snack" ? SNACK_CARBS : drawMealShares(rng) });
      if (!rng.chance(meal.bolusChance) || rng.chance(patient.missedBolusChance)) continue;
      // Usually a pre-bolus of up to 15 min; sometimes remembered 10-45 min into the meal.
      const offsetMin = rng.chance(0.25) ? rng.uniform(10, 45) : -rng.uniform(0, 15);
      const carbEstimateG = carbsG * patient.carbEstimateBias * Math.exp(rng.normal(0, 0.3));
      // Before planned exercise within 2 h the bolus is cut by 25-50 % (Riddell et al. 2017).
      const beforeExercise = exerciseWindow !== null && exerciseWindow.start - atMin >= 0 && exerciseWindow.start - atMin <= 120;
      const reduction = beforeExercise && rng.chance(0.6) ? rng.uniform(0.25, 0.5) : 0;
      boluses.push({ atMin: Math.max(0, Math.round(atMin + offsetMin)), carbEstimateG, reduction });
    }
  }
  return { meals, exercise, boluses };
}

export type TBehaviourAction =
  | { type: "carbs"; carbsG: number; kind: TMealKind; shares: TCarbShares }
  | { type: "insulin"; units: number; kind: TInsulinKind };

/** Reactions to CGM readings, and the settling of planned boluses against the reading at the time. */
export function createBehaviour(options: { rng: TRng; patient: TGlucosePatient; localStartMin: number; sleep: TSleepWindow }) {
  const { rng, patient, localStartMin, sleep } = options;
  let lastHypoTreatmentMin = -Infinity;
  let lastBolusMin = -Infinity;
  return {
    onReading(tMin: number, readingMgDl: number): TBehaviourAction[] {
      const asleep = isAsleep(sleep, getLocalMinuteOfDay(localStartMin, tMin));
      if (tMin - lastHypoTreatmentMin >= HYPO_RECHECK_MIN) {
        // Awake, most react to the low alert within ~15 min; asleep, only the urgent-low alarm wakes
        // them, and not always.
        const reacts = asleep ? readingMgDl < URGENT_LOW_MG_DL && rng.chance(0.35) : readingMgDl < LOW_ALERT_MG_DL && rng.chance(0.35);
        if (reacts) {
          lastHypoTreatmentMin = tMin;
          // Over-treating a low is common: hunger and fear make 30-45 g as likely as the advised 15.
          const carbsG = rng.chance(0.3) ? rng.uniform(30, 45) : HYPO_TREATMENT_G + rng.uniform(0, 10);
          return [{ type: "carbs", carbsG: Math.round(carbsG), kind: "hypo_treatment", shares: FAST_CARBS }];
        }
      }
      // Awake and well above range with no recent insulin on board: a cautious correction, sometimes.
      if (!asleep && readingMgDl > HIGH_CORRECTION_MG_DL && tMin - lastBolusMin >= 180 && rng.chance(0.1)) {
        const units = roundDose((0.8 * (readingMgDl - CORRECTION_TARGET_MG_DL)) / patient.correctionFactorMgDlPerU);
        if (units > 0) {
          lastBolusMin = tMin;
          return [{ type: "insulin", units, kind: "correction" }];
        }
      }
      return [];
    },
    settleBolus(tMin: number, bolus: TPendingBolus, readingMgDl: number): TBehaviourAction[] {
      let units = (bolus.carbEstimateG / patient.carbRatioGPerU) * (1 - bolus.reduction);
      // Most add a correction to a meal bolus when they start high.
      if (readingMgDl > 150 && rng.chance(0.6)) units += (readingMgDl - CORRECTION_TARGET_MG_DL) / patient.correctionFactorMgDlPerU;
      units = roundDose(units);
      if (units <= 0) return [];
      lastBolusMin = tMin;
      return [{ type: "insulin", units, kind: "meal_bolus" }];
    },
  };
}

/** A sleep window per patient: to bed 22:30-24:00, up 6:00-7:30. */
export function drawSleepWindow(rng: TRng): TSleepWindow {
  return { bedMin: Math.round(rng.uniform(22.5 * 60, 24 * 60 - 1)), wakeMin: Math.round(rng.uniform(6 * 60, 7.5 * 60)) };
}
