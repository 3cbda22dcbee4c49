import { describe, expect, it } from "vitest";
import { averageFromSum, drawGaussian, l2Norm, prepareUpdate } from "@/lib/fl/prepare-update";
import { getEpsilon, getTotalNoiseMultiplier } from "@/lib/fl/privacy-accounting";

describe("prepareUpdate and FedAvg", () => {
  it("clips to the norm, weights by capped sample count, and averages back to the weighted mean", () => {
    const a = prepareUpdate({ delta: [3, 4], sampleCount: 500, sampleCap: 1000, clipNorm: 1 });
    expect(a.clippedFrom).toBe(5);
    expect(a.weight).toBe(0.5);
    expect(Array.from(a.vector)).toEqual([0.3, 0.4, 0.5].map((v) => expect.closeTo(v, 12) as unknown as number));
    const b = prepareUpdate({ delta: [0.1, -0.2], sampleCount: 5000, sampleCap: 1000, clipNorm: 1 });
    expect(b.weight).toBe(1);
    const sum = a.vector.map((value, index) => value + b.vector[index]!);
    const { delta, totalWeight } = averageFromSum(sum);
    expect(totalWeight).toBeCloseTo(1.5);
    expect(delta[0]).toBeCloseTo((0.5 * 0.6 + 1 * 0.1) / 1.5);
    expect(delta[1]).toBeCloseTo((0.5 * 0.8 - 1 * 0.2) / 1.5);
  });

  it("adds noise of the asked size and refuses nonsense", () => {
    const noisy = prepareUpdate({ delta: new Float64Array(20_000), sampleCount: 10, sampleCap: 10, clipNorm: 2, noiseStdPerParticipant: 0.5 });
    const sd = l2Norm(noisy.vector.subarray(0, 20_000)) / Math.sqrt(20_000);
    expect(sd).toBeGreaterThan(0.95);
    expect(sd).toBeLessThan(1.05);
    expect(noisy.vector[20_000]).toBe(1);
    expect(() => prepareUpdate({ delta: [1], sampleCount: 0, sampleCap: 10, clipNorm: 1 })).toThrow(/sampleCount/);
    expect(() => averageFromSum([1, 0])).toThrow(/no weight/);
    const draws = drawGaussian(10_001);
    expect(draws.length).toBe(10_001);
    expect(Math.abs(draws.reduce((s, v) => s + v, 0) / draws.length)).toBeLessThan(0.05);
  });
});

describe("privacy accounting", () => {
  it("spends more budget with more rounds and less with more noise", () => {
    const sigma = getTotalNoiseMultiplier({ sigmaPerParticipant: 0.5, participants: 4 });
    expect(sigma).toBe(1);
    const one = getEpsilon({ noiseMultiplier: 1, rounds: 1, delta: 1e-5 });
    // rho = 0.5: epsilon = 0.5 + 2 sqrt(0.5 ln 1e5) = 5.30.
    expect(one).toBeCloseTo(0.5 + 2 * Math.sqrt(0.5 * Math.log(1e5)), 6);
    expect(getEpsilon({ noiseMultiplier: 1, rounds: 10, delta: 1e-5 })).toBeGreaterThan(one);
    expect(getEpsilon({ noiseMultiplier: 4, rounds: 1, delta: 1e-5 })).toBeLessThan(one);
    expect(getEpsilon({ noiseMultiplier: 0, rounds: 1, delta: 1e-5 })).toBe(Number.POSITIVE_INFINITY);
  });
});
