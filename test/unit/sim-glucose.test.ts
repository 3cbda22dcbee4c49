import { describe, expect, it } from "vitest";
import { CGM_READING_INTERVAL_MIN, createGlucoseSimulation, glucoseReadingsFor, type TGlucoseSimulation, type TGlucoseSimulationOptions } from "@/lib/sim/glucose";

const START_EPOCH_MS = Date.UTC(2025, 0, 6, 0, 0, 0);
const SEEDS = [1, 2, 3, 4, 5, 6];

function simulateDay(seed: number, events: Partial<TGlucoseSimulationOptions> = {}): TGlucoseSimulation {
  return createGlucoseSimulation({ seed, startEpochMs: START_EPOCH_MS, days: 1, autoSchedule: false, ...events });
}

function trueGlucoseAt(simulation: TGlucoseSimulation, tMin: number): number {
  const reading = simulation.readings[tMin / CGM_READING_INTERVAL_MIN];
  if (!reading || reading.tMin !== tMin) throw new Error(`no reading at ${tMin}`);
  return reading.trueGlucoseMgDl;
}

/** True glucose of `simulation` minus that of `control` (same seed, same patient) at each reading in [fromMin, toMin). */
function differenceFromControl(simulation: TGlucoseSimulation, control: TGlucoseSimulation, fromMin: number, toMin: number): number[] {
  return simulation.readings
    .filter((reading) => reading.tMin >= fromMin && reading.tMin < toMin)
    .map((reading) => reading.trueGlucoseMgDl - trueGlucoseAt(control, reading.tMin));
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const meanA = mean(a);
  const meanB = mean(b);
  let cross = 0;
  let squaresA = 0;
  let squaresB = 0;
  a.forEach((value, index) => {
    cross += (value - meanA) * ((b[index] as number) - meanB);
    squaresA += (value - meanA) ** 2;
    squaresB += ((b[index] as number) - meanB) ** 2;
  });
  return cross / Math.sqrt(squaresA * squaresB);
}

describe("createGlucoseSimulation", () => {
  it("is a pure function of its options and seed", () => {
    const options = { seed: "patient-7", startEpochMs: START_EPOCH_MS, days: 3 };
    const first = createGlucoseSimulation(options);
    expect(createGlucoseSimulation(options)).toEqual(first);
    const other = createGlucoseSimulation({ ...options, seed: "patient-8" });
    expect(other.readings.map((reading) => reading.glucoseMgDl)).not.toEqual(first.readings.map((reading) => reading.glucoseMgDl));
  });

  it("reads every 5 minutes, whole mg/dL within the CGM range 40..400", () => {
    const simulation = createGlucoseSimulation({ seed: 11, startEpochMs: START_EPOCH_MS, days: 2 });
    expect(simulation.readings).toHaveLength(2 * 288);
    simulation.readings.forEach((reading, index) => {
      expect(reading.tMin).toBe(index * 5);
      expect(Number.isInteger(reading.glucoseMgDl)).toBe(true);
      expect(reading.glucoseMgDl).toBeGreaterThanOrEqual(40);
      expect(reading.glucoseMgDl).toBeLessThanOrEqual(400);
    });
  });

  it("clamps readings at 40 and 400 while true glucose goes beyond", () => {
    const high = simulateDay(2, { meals: [{ atMin: 60, carbsG: 250 }] });
    expect(Math.max(...high.readings.map((reading) => reading.trueGlucoseMgDl))).toBeGreaterThan(450);
    expect(Math.max(...high.readings.map((reading) => reading.glucoseMgDl))).toBe(400);
    const low = simulateDay(2, { insulin: [{ atMin: 60, units: 30 }] });
    expect(Math.min(...low.readings.map((reading) => reading.trueGlucoseMgDl))).toBeLessThan(38);
    expect(Math.min(...low.readings.map((reading) => reading.glucoseMgDl))).toBe(40);
  });

  it("uses only the given events unless asked for a routine", () => {
    const simulation = simulateDay(3, { meals: [{ atMin: 100, carbsG: 40 }], autoSchedule: undefined });
    expect(simulation.meals).toEqual([{ atMin: 100, carbsG: 40, kind: "meal" }]);
    expect(simulation.insulin).toEqual([]);
    expect(simulation.exercise).toEqual([]);
    const merged = simulateDay(3, { meals: [{ atMin: 100, carbsG: 40 }], autoSchedule: true });
    expect(merged.meals.length).toBeGreaterThan(2);
    expect(merged.meals).toContainEqual({ atMin: 100, carbsG: 40, kind: "meal" });
  });

  it("raises glucose by a plausible amount after a meal without insulin", () => {
    for (const seed of SEEDS) {
      const control = simulateDay(seed);
      const meal = simulateDay(seed, { meals: [{ atMin: 120, carbsG: 60 }] });
      const rise = differenceFromControl(meal, control, 120, 240);
      expect(Math.max(...rise), `seed ${seed}`).toBeGreaterThan(60);
      expect(Math.max(...rise), `seed ${seed}`).toBeLessThan(350);
      // Unchanged before the meal.
      expect(differenceFromControl(meal, control, 0, 120).every((difference) => difference === 0)).toBe(true);
    }
  });

  it("lowers glucose after insulin, and a matched bolus blunts a meal's rise", () => {
    for (const seed of SEEDS) {
      const control = simulateDay(seed);
      const insulin = simulateDay(seed, { insulin: [{ atMin: 60, units: 3 }] });
      const drop = differenceFromControl(insulin, control, 60, 360);
      expect(Math.min(...drop), `seed ${seed}`).toBeLessThan(-30);
      expect(drop.every((difference) => difference <= 0.05)).toBe(true);

      const meal = [{ atMin: 120, carbsG: 60 }];
      const unbolused = differenceFromControl(simulateDay(seed, { meals: meal }), control, 120, 360);
      const carbRatio = insulin.patient.carbRatioGPerU;
      const bolused = differenceFromControl(simulateDay(seed, { meals: meal, insulin: [{ atMin: 105, units: 60 / carbRatio }] }), control, 120, 360);
      expect(Math.max(...bolused), `seed ${seed}`).toBeLessThan(0.7 * Math.max(...unbolused));
    }
  });

  it("lowers glucose during and for hours after exercise, against the same day without it", () => {
    for (const seed of SEEDS) {
      const day = {
        meals: [
          { atMin: 480, carbsG: 50 },
          { atMin: 750, carbsG: 60 },
        ],
        insulin: [
          { atMin: 470, units: 4 },
          { atMin: 740, units: 5 },
        ],
      };
      const control = simulateDay(seed, day);
      const exercised = simulateDay(seed, { ...day, exercise: [{ atMin: 600, durationMin: 45, intensity: 0.6 }] });
      const difference = differenceFromControl(exercised, control, 600, 960);
      const after = differenceFromControl(exercised, control, 645, 960);
      expect(Math.min(...difference), `seed ${seed}`).toBeLessThan(-15);
      expect(mean(after), `seed ${seed}`).toBeLessThan(-8);
      expect(difference.every((value) => value <= 0.05)).toBe(true);
      expect(differenceFromControl(exercised, control, 0, 600).every((difference) => difference === 0)).toBe(true);
    }
  });

  it("lags true glucose: CGM correlates best with plasma glucose 5-15 min earlier", () => {
    for (const seed of SEEDS) {
      const { readings } = createGlucoseSimulation({ seed, startEpochMs: START_EPOCH_MS, days: 3 });
      const cgm = readings.map((reading) => reading.glucoseMgDl);
      const plasma = readings.map((reading) => reading.trueGlucoseMgDl);
      const byLag = [0, 1, 2, 3, 4, 5].map((lag) => correlation(cgm.slice(lag), plasma.slice(0, plasma.length - lag)));
      const bestLag = byLag.indexOf(Math.max(...byLag));
      expect(bestLag, `seed ${seed}: ${byLag.join(", ")}`).toBeGreaterThanOrEqual(1);
      expect(bestLag).toBeLessThanOrEqual(3);
      // Sensor noise is a few mg/dL.
      const errors = cgm.map((value, index) => value - (plasma[index] as number));
      expect(Math.sqrt(mean(errors.map((error) => error * error)))).toBeLessThan(25);
    }
  });

  it("lives a plausible two weeks with the automatic routine", () => {
    let seedsWithLowsAndHighs = 0;
    for (const seed of SEEDS) {
      const simulation = createGlucoseSimulation({ seed, startEpochMs: START_EPOCH_MS, days: 14 });
      const values = simulation.readings.map((reading) => reading.glucoseMgDl);
      const timeInRange = values.filter((value) => value >= 70 && value <= 180).length / values.length;
      expect(timeInRange, `seed ${seed}`).toBeGreaterThan(0.4);
      expect(timeInRange, `seed ${seed}`).toBeLessThan(0.9);
      if (values.some((value) => value < 70) && values.some((value) => value > 250)) seedsWithLowsAndHighs += 1;

      const mealsPerDay = simulation.meals.filter((meal) => meal.kind === "meal").length / 14;
      expect(mealsPerDay).toBeGreaterThan(2.5);
      expect(mealsPerDay).toBeLessThanOrEqual(3);
      expect(simulation.meals.every((meal) => meal.carbsG >= 10 && meal.carbsG <= 90)).toBe(true);
      expect(simulation.insulin.filter((dose) => dose.kind === "meal_bolus").length).toBeGreaterThan(14 * 2);
      expect(simulation.exercise.length).toBeGreaterThan(0);
      for (const events of [simulation.meals, simulation.insulin, simulation.exercise]) {
        expect(events.map((event) => event.atMin)).toEqual([...events.map((event) => event.atMin)].sort((a, b) => a - b));
      }
    }
    expect(seedsWithLowsAndHighs).toBeGreaterThanOrEqual(3);
  });

  it("places the routine in the patient's local day", () => {
    const isDaytime = (minuteOfDay: number) => minuteOfDay >= 5.5 * 60 && minuteOfDay <= 21 * 60;
    for (const utcOffsetMinutes of [0, -300, 540]) {
      const simulation = createGlucoseSimulation({ seed: 9, startEpochMs: START_EPOCH_MS, utcOffsetMinutes, days: 4 });
      const localMinutes = simulation.meals.filter((meal) => meal.kind === "meal").map((meal) => (((meal.atMin + utcOffsetMinutes) % 1440) + 1440) % 1440);
      expect(localMinutes.every(isDaytime), `offset ${utcOffsetMinutes}`).toBe(true);
      if (utcOffsetMinutes !== 0) {
        expect(simulation.meals.filter((meal) => meal.kind === "meal").some((meal) => !isDaytime(meal.atMin % 1440))).toBe(true);
      }
    }
  });
});

describe("glucoseReadingsFor", () => {
  it("returns the readings with fromMin <= tMin < toMin", () => {
    const simulation = createGlucoseSimulation({ seed: 5, startEpochMs: START_EPOCH_MS, days: 1 });
    expect(glucoseReadingsFor(simulation, 12, 31).map((reading) => reading.tMin)).toEqual([15, 20, 25, 30]);
    expect(glucoseReadingsFor(simulation, 0, 5).map((reading) => reading.tMin)).toEqual([0]);
    expect(glucoseReadingsFor(simulation, 10, 10)).toEqual([]);
    expect(glucoseReadingsFor(simulation, 1435, 2000).map((reading) => reading.tMin)).toEqual([1435]);
    expect(glucoseReadingsFor(simulation, 5000, 6000)).toEqual([]);
    expect(glucoseReadingsFor(simulation, -100, 1)).toEqual([simulation.readings[0]]);
  });
});
