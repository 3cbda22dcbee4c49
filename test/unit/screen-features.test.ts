import { describe, expect, it } from "vitest";
import { createScreenFeatureExtractor, SCREEN_FEATURE_COUNT } from "@/lib/detect/screen";
import { generateHeartRate } from "@/lib/sim/heart-rate";

// The extractor keeps its windows sorted incrementally; this recomputes the same windowed features
// from scratch each second (sorting copies), as the definitions read, so a bookkeeping slip in the
// incremental version (a value not removed, a pair counted twice) shows up as a mismatch.
function createReference(ageYears: number) {
  const history: { bpm: number; activity: number }[] = [];
  let activityLag = 0;
  let activityRecent = 0;
  let baseline: number | null = null;
  let restUpdates = 0;
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[middle]! : 0.5 * (sorted[middle - 1]! + sorted[middle]!);
  };
  /** The features, then the state's largeExcursions60 (not a model input) last. */
  return (bpm: number, activity: number): number[] | null => {
    history.push({ bpm, activity });
    activityLag += (activity - activityLag) * (1 - Math.exp(-1 / 45));
    activityRecent += (activity - activityRecent) * (1 - Math.exp(-1 / 600));
    const last30 = history.slice(-30);
    const readings30 = last30.map((sample) => sample.bpm).filter((value) => value > 0);
    if (readings30.length < 10) return null;
    const median30 = median(readings30);
    const readings10 = history.slice(-10).map((sample) => sample.bpm).filter((value) => value > 0);
    const median10 = readings10.length >= 3 ? median(readings10) : median30;
    const diffs: number[] = [];
    for (let index = 1; index < last30.length; index += 1) {
      if (last30[index]!.bpm > 0 && last30[index - 1]!.bpm > 0) diffs.push(Math.abs(last30[index]!.bpm - last30[index - 1]!.bpm));
    }
    const band = 0.12 * median30;
    const countExcursions = (bandBpm: number) => {
      let count = 0;
      let wasOutlier = false;
      for (const sample of history.slice(-60)) {
        if (sample.bpm <= 0) continue;
        const isOutlier = Math.abs(sample.bpm - median30) > bandBpm;
        if (isOutlier && !wasOutlier) count += 1;
        wasOutlier = isOutlier;
      }
      return count;
    };
    const excursions = countExcursions(band);
    if (activityLag < 20 && readings30.length >= 15) {
      if (baseline === null) baseline = median30;
      else if (restUpdates < 300) baseline += (median30 - baseline) / (restUpdates + 1);
      else baseline += Math.max(-3, Math.min(3, median30 - baseline)) / 1800;
      restUpdates += 1;
    }
    const base = baseline ?? median30;
    const expected = base + Math.max(0, 220 - ageYears - base) * Math.min(0.9, activityLag / 1050);
    const logScale = Math.log(1001);
    return [
      (median10 - base) / base,
      (median30 - base) / base,
      (median10 - 75) / 25,
      Math.log1p(last30.reduce((sum, sample) => sum + sample.activity, 0) / last30.length) / logScale,
      Math.log1p(activityLag) / logScale,
      Math.log1p(activityRecent) / logScale,
      (median10 - expected) / base,
      diffs.length ? (10 * median(diffs)) / median30 : 0,
      diffs.length ? (10 * (diffs.reduce((a, b) => a + b, 0) / diffs.length)) / median30 : 0,
      readings30.filter((value) => Math.abs(value - median30) > band).length / readings30.length,
      excursions / 5,
      1 - readings30.length / last30.length,
      diffs.length ? diffs.filter((value) => value > 0.5 * median30).length / diffs.length : 0,
      Math.min(1, restUpdates / 600),
      countExcursions(0.2 * median30),
    ];
  };
}

describe("screen features", () => {
  it("match a from-scratch recomputation over a stream with episodes, gaps, artifacts and glitches", () => {
    const series = generateHeartRate(
      {
        seed: "screen-features-reference",
        ageYears: 40,
        gapRatePerHour: 8,
        artifactRatePerHour: 8,
        episodes: [
          { type: "afib", startS: 1500, durationS: 600 },
          { type: "ectopic_burst", startS: 2700, durationS: 400 },
          { type: "sensor_glitch", startS: 3400, durationS: 8 },
          { type: "stairs", startS: 3800, durationS: 100 },
        ],
      },
      4500,
    );
    const extractor = createScreenFeatureExtractor({ ageYears: 40 });
    const reference = createReference(40);
    let compared = 0;
    let largeExcursionWindows = 0;
    for (let second = 0; second < series.bpm.length; second += 1) {
      const actual = extractor.push({ bpm: series.bpm[second]!, activity: series.activity[second]!, atMs: second * 1000 });
      const expected = reference(series.bpm[second]!, series.activity[second]!);
      expect(actual === null).toBe(expected === null);
      if (!actual || !expected) continue;
      for (let index = 0; index < SCREEN_FEATURE_COUNT; index += 1) expect(actual[index]).toBeCloseTo(expected[index]!, 9);
      expect(extractor.state().largeExcursions60).toBe(expected[SCREEN_FEATURE_COUNT]);
      largeExcursionWindows += expected[SCREEN_FEATURE_COUNT]! > 0 ? 1 : 0;
      compared += 1;
    }
    expect(compared).toBeGreaterThan(4000);
    expect(largeExcursionWindows).toBeGreaterThan(100);
    expect(series.bpm.filter((value) => value === 0).length).toBeGreaterThan(10);
  });
});
