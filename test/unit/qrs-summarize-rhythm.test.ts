import { describe, expect, it } from "vitest";
import { summarizeRhythm } from "@/lib/detect/qrs";

describe("summarizeRhythm", () => {
  it("has no figures without intervals", () => {
    expect(summarizeRhythm({ rrIntervalsS: [] })).toEqual({
      rrCount: 0,
      meanRrS: null,
      medianRrS: null,
      meanHeartRateBpm: null,
      medianHeartRateBpm: null,
      sdnnMs: null,
      rmssdMs: null,
      rrCoefficientOfVariation: null,
      normalizedRmssd: null,
      pnn50: null,
    });
  });

  it("gives a rate but no variability from one interval", () => {
    const summary = summarizeRhythm({ rrIntervalsS: [1.2] });
    expect(summary.meanHeartRateBpm).toBeCloseTo(50, 10);
    expect(summary.medianHeartRateBpm).toBeCloseTo(50, 10);
    expect(summary.sdnnMs).toBeNull();
    expect(summary.rmssdMs).toBeNull();
    expect(summary.pnn50).toBeNull();
  });

  it("finds no variability in a perfectly regular rhythm", () => {
    const summary = summarizeRhythm({ rrIntervalsS: [0.8, 0.8, 0.8, 0.8] });
    expect(summary.meanHeartRateBpm).toBeCloseTo(75, 10);
    expect(summary.sdnnMs).toBeCloseTo(0, 10);
    expect(summary.rmssdMs).toBeCloseTo(0, 10);
    expect(summary.rrCoefficientOfVariation).toBeCloseTo(0, 10);
    expect(summary.pnn50).toBe(0);
  });

  it("computes SDNN (n - 1), RMSSD, CV and pNN50 of an alternating rhythm", () => {
    const summary = summarizeRhythm({ rrIntervalsS: [0.8, 1.0, 0.8, 1.0] });
    expect(summary.meanRrS).toBeCloseTo(0.9, 10);
    expect(summary.medianRrS).toBeCloseTo(0.9, 10);
    expect(summary.meanHeartRateBpm).toBeCloseTo(60 / 0.9, 10);
    expect(summary.sdnnMs).toBeCloseTo(1000 * Math.sqrt(0.04 / 3), 8);
    expect(summary.rmssdMs).toBeCloseTo(200, 8);
    expect(summary.rrCoefficientOfVariation).toBeCloseTo(Math.sqrt(0.04 / 3) / 0.9, 10);
    expect(summary.normalizedRmssd).toBeCloseTo(0.2 / 0.9, 10);
    expect(summary.pnn50).toBe(1);
  });

  it("counts only successive differences above 50 ms in pNN50", () => {
    expect(summarizeRhythm({ rrIntervalsS: [0.8, 0.83, 0.9] }).pnn50).toBe(0.5);
  });

  it("reports the median rate robustly to one missed beat", () => {
    const summary = summarizeRhythm({ rrIntervalsS: [0.75, 0.75, 1.5, 0.75, 0.75] });
    expect(summary.medianHeartRateBpm).toBeCloseTo(80, 10);
    expect(summary.meanHeartRateBpm).toBeLessThan(70);
  });
});
