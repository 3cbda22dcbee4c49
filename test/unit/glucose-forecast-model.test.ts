// The forecast's pure parts: features, the two baselines, the committed weights and their manifest,
// aligning fetched readings to the 5-min grid, and the finding a client may share.
import { describe, expect, it } from "vitest";
import { alignReadingsToGrid } from "@/lib/glucose-forecast/align-readings";
import { forecastAr2, forecastLastValue } from "@/lib/glucose-forecast/baselines";
import { computeForecastFeatures, FEATURE_COUNT, FEATURE_NAMES, HISTORY_READINGS, MAX_EVENT_EFFECT_MG_DL } from "@/lib/glucose-forecast/features";
import { fitLeastSquares } from "@/lib/glucose-forecast/fit-least-squares";
import { getForecastFinding } from "@/lib/glucose-forecast/forecast-finding";
import { loadForecastWeights } from "@/lib/glucose-forecast/model-files";

const flat = (mgDl: number) => Array.from({ length: HISTORY_READINGS }, () => mgDl);
const settings = { carbRatioGPerU: 10, correctionFactorMgDlPerU: 50 };

describe("features", () => {
  it("computes trends from the readings and meal and dose effects in mg/dL", () => {
    const readingsMgDl = Array.from({ length: HISTORY_READINGS }, (_, index) => 150 - 2 * index);
    const features = computeForecastFeatures({ readingsMgDl, carbs: [{ minutesAgo: 10, grams: 40 }], insulin: [{ minutesAgo: 45, units: 2 }], ...settings });
    const byName = Object.fromEntries(FEATURE_NAMES.map((name, index) => [name, features[index]]));
    expect(features).toHaveLength(FEATURE_COUNT);
    expect(byName).toMatchObject({ glucoseMgDl: 150, delta5MinMgDl: 2, delta15MinMgDl: 6, delta30MinMgDl: 12, delta60MinMgDl: 24, acceleration10MinMgDl: 0 });
    // 40 g at 50/10 mg/dL per g; 2 U at 50 mg/dL per U.
    expect(byName.carbs0to20MinMgDl).toBe(200);
    expect(byName.insulin30to60MinMgDl).toBe(100);
  });

  it("caps implausible meal entries so encrypted sums stay in range", () => {
    const features = computeForecastFeatures({ readingsMgDl: flat(120), carbs: [{ minutesAgo: 5, grams: 300 }, { minutesAgo: 6, grams: 300 }], ...settings });
    expect(features[FEATURE_NAMES.indexOf("carbs0to20MinMgDl")]).toBe(MAX_EVENT_EFFECT_MG_DL);
  });

  it("refuses out-of-range input", () => {
    expect(() => computeForecastFeatures({ readingsMgDl: flat(120).slice(1), ...settings })).toThrow();
    expect(() => computeForecastFeatures({ readingsMgDl: flat(500), ...settings })).toThrow();
  });
});

describe("baselines", () => {
  it("last value is the latest reading", () => {
    expect(forecastLastValue([123, 120, 118])).toBe(123);
  });

  it("AR2 holds a flat trace and extrapolates a falling one, within 40..400", () => {
    expect(forecastAr2(flat(140))).toBeCloseTo(140, 6);
    const falling = forecastAr2([100, 110]);
    expect(falling).toBeLessThan(100);
    expect(forecastAr2([45, 70])).toBe(40);
  });
});

describe("least squares", () => {
  it("recovers an exact linear relation", () => {
    const rows = Array.from({ length: 200 }, (_, index) => Float64Array.from([index % 17, (index * 7) % 13, (index * 3) % 11]));
    const targets = rows.map((row) => 5 + 2 * row[0]! - 3 * row[1]! + 0.5 * row[2]!);
    const { weights, bias } = fitLeastSquares({ rows, targets, ridge: 0 });
    expect(weights.map((weight) => Number(weight.toFixed(6)))).toEqual([2, -3, 0.5]);
    expect(bias).toBeCloseTo(5, 6);
  });
});

describe("committed model", () => {
  it("loads with a matching sha256 and carries its model card: real data split by subject", () => {
    const { weights, manifest } = loadForecastWeights();
    expect(weights.featureNames).toEqual([...FEATURE_NAMES]);
    expect(manifest.version).toBe("2.0.0");
    expect(manifest.training.data).toBe("real");
    const { trainPatients, validationPatients, heldOutPatients } = manifest.training;
    expect(Math.min(trainPatients, validationPatients, heldOutPatients)).toBeGreaterThan(0);
    // Held-out metrics are over exactly the test split's examples, and the model is no worse than AR2 there.
    expect(manifest.metrics.heldOut.examples).toBe(manifest.training.examples.test);
    expect(manifest.metrics.heldOut.improvementOverAr2).toBeGreaterThan(0);
    expect(manifest.metrics.heldOut.rmseModelMgDl).toBeLessThan(manifest.metrics.heldOut.rmseLastValueMgDl);
    // The meal and insulin terms (fitted on the simulator) still beat AR2 by 15 % where meals and doses are logged.
    expect(manifest.metrics.simulatedHeldOut.improvementOverAr2).toBeGreaterThanOrEqual(0.15);
    expect(manifest.card.knownLimits.length).toBeGreaterThan(0);
  });
});

describe("aligning fetched readings", () => {
  const nowMs = Date.UTC(2026, 0, 1, 12, 0);
  const at = (minutesAgo: number) => new Date(nowMs - minutesAgo * 60_000).toISOString();

  it("snaps readings to the 5-min grid and interpolates a short gap", () => {
    const readings = Array.from({ length: 13 }, (_, index) => ({ measuredAt: at(1 + index * 5), glucoseMgDl: 100 + index })).filter((_, index) => index !== 4);
    const aligned = alignReadingsToGrid({ readings, nowMs });
    if ("error" in aligned) throw new Error(aligned.error);
    expect(aligned.readingsMgDl).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112]);
  });

  it("refuses stale data and long gaps", () => {
    const old = Array.from({ length: 13 }, (_, index) => ({ measuredAt: at(30 + index * 5), glucoseMgDl: 100 }));
    expect(alignReadingsToGrid({ readings: old, nowMs })).toEqual({ error: expect.stringMatching(/old/) });
    const gappy = Array.from({ length: 13 }, (_, index) => ({ measuredAt: at(index * 5), glucoseMgDl: 100 })).filter((_, index) => index < 3 || index > 7);
    expect(alignReadingsToGrid({ readings: gappy, nowMs })).toEqual({ error: expect.stringMatching(/gap/) });
  });
});

describe("findings", () => {
  it("flags forecasts below 70 and above 250 mg/dL only", () => {
    expect(getForecastFinding(69.9)).toBe("predicted_low");
    expect(getForecastFinding(70)).toBeNull();
    expect(getForecastFinding(250)).toBeNull();
    expect(getForecastFinding(250.1)).toBe("predicted_high");
  });
});
