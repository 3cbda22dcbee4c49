import { describe, expect, it } from "vitest";
import { generateHospitalCohort, getHospitalClassCounts, getHospitalProfile, MIN_STRIPS_PER_CLASS } from "@/lib/fl/hospital-cohorts";
import { makeStripSpecs } from "@/lib/detect/ecg/train";
import { ECG_CLASSES } from "@/lib/detect/ecg/ecg-classes";
import { ECG_RHYTHM_HEART_RATE_RANGES_BPM, ECG_RHYTHMS } from "@/lib/sim/ecg";

// By the model's classes; simulated cohorts have no "other rhythm" (the simulator generates none).
const SIMULATED_CLASSES = ECG_CLASSES.filter((name) => name !== "other_rhythm");
const countLabels = (labels: Int32Array) => SIMULATED_CLASSES.map((name) => labels.filter((label) => label === ECG_CLASSES.indexOf(name)).length);

describe("hospital cohorts", () => {
  it("gives deterministic, strongly different profiles", () => {
    expect(getHospitalProfile({ index: 7 })).toEqual(getHospitalProfile({ index: 7 }));
    const profiles = Array.from({ length: 10 }, (_, index) => getHospitalProfile({ index }));
    expect(new Set(profiles.map((profile) => profile.name)).size).toBe(10);
    const afShares = profiles.slice(0, 5).map((profile) => profile.rhythmShares.atrial_fibrillation!);
    expect(Math.max(...afShares) / Math.min(...afShares)).toBeGreaterThan(10);
    for (const profile of profiles) {
      const total = ECG_RHYTHMS.reduce((sum, rhythm) => sum + profile.rhythmShares[rhythm]!, 0);
      expect(total).toBeCloseTo(1, 6);
      expect(profile.sampleRatesHz).not.toContain(360);
    }
    expect(() => getHospitalProfile({ index: -1 })).toThrow();
  });

  it("keeps every class present and follows the prevalences", () => {
    const paediatric = getHospitalProfile({ index: 1 });
    const counts = getHospitalClassCounts({ profile: paediatric, strips: 400 });
    expect(ECG_RHYTHMS.reduce((sum, rhythm) => sum + counts[rhythm], 0)).toBe(400);
    expect(Math.min(...Object.values(counts))).toBeGreaterThanOrEqual(MIN_STRIPS_PER_CLASS);
    expect(counts.tachycardia).toBeGreaterThan(10 * counts.atrial_fibrillation / 2);
    expect(() => getHospitalClassCounts({ profile: paediatric, strips: 30 })).toThrow(/at least/);
  });

  it("draws rates from the profile's part of each range", () => {
    const window = getHospitalProfile({ index: 2 }).heartRateWindow;
    const specs = makeStripSpecs({ perClass: 20, seedBase: 1, label: "t", noiseLevels: [0], sampleRatesHz: [250], unreadableShare: 0, heartRateWindow: window });
    for (const spec of specs) {
      const range = ECG_RHYTHM_HEART_RATE_RANGES_BPM[spec.rhythm];
      expect(spec.heartRateBpm).toBeGreaterThanOrEqual(range.minBpm + window.from * (range.maxBpm - range.minBpm) - 0.05);
      expect(spec.heartRateBpm).toBeLessThanOrEqual(range.minBpm + window.to * (range.maxBpm - range.minBpm) + 0.05);
    }
  });

  it("splits a cohort per class into train and validation, reproducibly, on worker threads or not", async () => {
    const profile = getHospitalProfile({ index: 0 });
    const cohort = await generateHospitalCohort({ profile, strips: 70, seed: 3, workers: 0 });
    expect(cohort.train.count + cohort.validation.count).toBe(70);
    const trainCounts = countLabels(cohort.train.labels);
    const validationCounts = countLabels(cohort.validation.labels);
    expect(Math.min(...validationCounts)).toBeGreaterThanOrEqual(2);
    expect(Math.min(...trainCounts)).toBeGreaterThanOrEqual(2);
    expect(cohort.classCounts.atrial_fibrillation).toBeGreaterThan(cohort.classCounts.bradycardia);

    const again = await generateHospitalCohort({ profile, strips: 70, seed: 3, workers: 1 });
    expect(Buffer.from(again.train.signals.buffer).equals(Buffer.from(cohort.train.signals.buffer))).toBe(true);
    expect(Array.from(again.validation.labels)).toEqual(Array.from(cohort.validation.labels));

    const other = await generateHospitalCohort({ profile: getHospitalProfile({ index: 1 }), strips: 70, seed: 3, workers: 0 });
    expect(other.seeds.first).toBeGreaterThan(cohort.seeds.last);
  });
});
