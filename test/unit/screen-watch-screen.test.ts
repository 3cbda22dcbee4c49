import { beforeAll, describe, expect, it } from "vitest";
import { createCascadePolicy } from "@/lib/detect/cascade";
import { createScreenFeatureExtractor, createWatchScreen, SCREEN_CLASSES, SCREEN_FEATURE_NAMES, type TScreenResult, type TWatchScreenManifest, type TWatchScreenWeights } from "@/lib/detect/screen";
import { BRADYCARDIA_BELOW_BPM, TACHYCARDIA_ABOVE_BPM } from "@/lib/detect/rate-definitions";
import { ECTOPY_MIN_LARGE_EXCURSIONS, gateConditionScores, RATE_GATE_MARGIN_BPM } from "@/lib/detect/screen/gate-condition-scores";
import { loadWatchScreenModel } from "@/lib/detect/screen/load-watch-screen-model";

// Hand-built 1 Hz streams: each segment gives the reading and the activity count per second.
type TSegment = { seconds: number; bpm: (t: number) => number; activity?: (t: number) => number };

// Sinus-like wobble of +-1-2 bpm with no randomness, so the tests are exact.
const wobble = (t: number) => [0, 1, 1, 0, -1, -1, 0, 2, 0, -1][t % 10]!;
const rest = (bpm: number, seconds: number): TSegment => ({ seconds, bpm: (t) => bpm + wobble(t), activity: (t) => (t % 7 === 0 ? 3 : 1) });
const WARM_UP: TSegment = rest(65, 20 * 60);

let weights: TWatchScreenWeights;
let manifest: TWatchScreenManifest;

beforeAll(async () => {
  ({ weights, manifest } = await loadWatchScreenModel());
});

function run(segments: TSegment[], options: { ageYears?: number } = {}) {
  const screen = createWatchScreen({ weights, ageYears: options.ageYears ?? 45 });
  const results: (TScreenResult | null)[] = [];
  let clockS = 0;
  for (const segment of segments) {
    for (let t = 0; t < segment.seconds; t += 1) {
      results.push(screen.push({ bpm: segment.bpm(t), activity: segment.activity?.(t) ?? 1, atMs: clockS * 1000 }));
      clockS += 1;
    }
  }
  return { screen, results };
}

const last = (results: (TScreenResult | null)[]) => results[results.length - 1]!;
const maxScore = (results: (TScreenResult | null)[]) => Math.max(...results.map((result) => result?.score ?? 0));

describe("watch screen on hand-built windows", () => {
  it("learns the same from observe() as from push(): what follows scores identically", () => {
    const history = [WARM_UP, { seconds: 600, bpm: (t: number) => 70 + (t % 90 < 30 ? 40 : 0) + wobble(t), activity: (t: number) => (t % 90 < 30 ? 400 : 2) }];
    const pushed = createWatchScreen({ weights, ageYears: 45 });
    const observed = createWatchScreen({ weights, ageYears: 45 });
    let clockS = 0;
    for (const segment of history) {
      for (let t = 0; t < segment.seconds; t += 1, clockS += 1) {
        const sample = { bpm: segment.bpm(t), activity: segment.activity?.(t) ?? 1, atMs: clockS * 1000 };
        pushed.push(sample);
        observed.observe(sample);
      }
    }
    expect(observed.getBaselineBpm()).toBe(pushed.getBaselineBpm());
    for (let t = 0; t < 120; t += 1, clockS += 1) {
      const sample = { bpm: 140 + wobble(t), activity: 1, atMs: clockS * 1000 };
      expect(observed.push(sample)).toEqual(pushed.push(sample));
    }
  });

  it("scores steady rest low", () => {
    const { results } = run([WARM_UP, rest(65, 10 * 60)]);
    expect(last(results)!.score).toBeLessThan(0.05);
    expect(maxScore(results.slice(-600))).toBeLessThan(manifest.thresholds.escalate);
    expect(last(results)!.isWarmingUp).toBe(false);
    expect(last(results)!.baselineBpm).toBeCloseTo(65, 0);
  });

  it("scores a sustained 140 bpm at rest as tachycardia", () => {
    const { results } = run([WARM_UP, rest(140, 3 * 60)]);
    expect(last(results)!.score).toBeGreaterThan(0.95);
    expect(last(results)!.suspected).toBe("tachycardia_rest");
  });

  it("scores the same 140 bpm low when the activity explains it", () => {
    // Running: activity ~600 and the rate rising towards 140 with a 40 s lag, as exercise kinetics do.
    const running: TSegment = { seconds: 10 * 60, bpm: (t) => Math.round(65 + 75 * (1 - Math.exp(-t / 40))) + wobble(t), activity: (t) => 600 + ((t * 37) % 50) };
    const { results } = run([WARM_UP, running]);
    expect(last(results)!.levelBpm).toBeGreaterThan(135);
    expect(last(results)!.score).toBeLessThan(0.05);
    expect(maxScore(results.slice(-600))).toBeLessThan(manifest.thresholds.escalate);
  });

  it("scores an irregular, alternating rate at rest as AF-like", () => {
    const irregular = [110, 150, 125, 160, 105, 140, 118, 155, 130, 100, 145, 122];
    const { results } = run([WARM_UP, { seconds: 2 * 60, bpm: (t) => irregular[t % irregular.length]! }]);
    expect(last(results)!.score).toBeGreaterThan(0.95);
    expect(last(results)!.suspected).toBe("afib");
  });

  it("scores a sustained 38 bpm at rest as bradycardia", () => {
    const { results } = run([WARM_UP, rest(38, 3 * 60)]);
    expect(last(results)!.score).toBeGreaterThan(0.9);
    expect(last(results)!.suspected).toBe("bradycardia");
  });

  it("scores repeated 2 s dips (pulse deficits of ectopic beats) as ectopic", () => {
    const { results } = run([WARM_UP, { seconds: 2 * 60, bpm: (t) => (t % 10 < 2 ? 48 : 70 + wobble(t)) }]);
    expect(last(results)!.score).toBeGreaterThan(0.9);
    expect(last(results)!.suspected).toBe("ectopic_burst");
  });

  it("does not escalate on sinus swings of 8-10 bpm over a few seconds at a normal rate (real sinus rhythm, MIT-BIH)", () => {
    const swings: Record<string, (t: number) => number> = {
      dips: (t) => 64 + wobble(t) - [0, 3, 6, 8, 8, 6, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0][t % 20]!,
      upAndDown: (t) => 66 + wobble(t) + [0, 4, 8, 10, 8, 4, 0, -4, -8, -10, -8, -4, 0, 0, 0][t % 15]!,
    };
    for (const bpm of Object.values(swings)) {
      const { results } = run([WARM_UP, { seconds: 10 * 60, bpm, activity: () => 1 }]);
      expect(maxScore(results.slice(-600))).toBeLessThan(manifest.thresholds.escalate);
    }
  });

  it("does not escalate on a single-sample glitch, a dropout or a spike", () => {
    const glitchy: TSegment = { seconds: 10 * 60, bpm: (t) => (t === 100 ? 0 : t === 300 ? 230 : 65 + wobble(t)), activity: () => 1 };
    const { results } = run([WARM_UP, glitchy]);
    let nowMs = 0;
    const policy = createCascadePolicy({ clock: { nowMs: () => nowMs }, config: { escalateScore: manifest.thresholds.escalate, persistenceHits: manifest.thresholds.persistenceHits } });
    const requests = results.flatMap((result, index) => {
      nowMs = index * 1000;
      return policy.onScreenResult(result).filter((action) => action.type === "request_ecg");
    });
    expect(requests).toEqual([]);
    // The spike moves the irregularity features for a moment, but never to a hit.
    expect(maxScore(results.slice(-600))).toBeLessThan(manifest.thresholds.escalate);
  });

  it("learns a new resting rate online and is not dragged by a 10 min episode", () => {
    const { screen, results } = run([rest(60, 20 * 60), rest(72, 3 * 3600)]);
    expect(screen.getBaselineBpm()!).toBeGreaterThan(70);
    expect(last(results)!.score).toBeLessThan(0.1);

    const episode = run([WARM_UP, rest(140, 10 * 60)]);
    expect(episode.screen.getBaselineBpm()!).toBeGreaterThan(65);
    expect(episode.screen.getBaselineBpm()!).toBeLessThan(68);
  });

  it("says it is warming up until it has seen 5 min at rest, and gives no result without readings", () => {
    const { results } = run([rest(65, 200)]);
    expect(last(results)!.isWarmingUp).toBe(true);
    const silent = run([{ seconds: 60, bpm: () => 0 }]);
    expect(silent.results.every((result) => result === null)).toBe(true);
  });
});

describe("clinical gating of the condition scores", () => {
  const probabilitiesOf = (values: Record<(typeof SCREEN_CLASSES)[number], number>) => Float64Array.from(SCREEN_CLASSES, (name) => values[name]);
  const even = { none: 0.2, tachycardia_rest: 0.2, bradycardia: 0.2, afib: 0.2, ectopic_burst: 0.2 };
  const gate = (levelBpm: number, largeExcursions60: number) => {
    const gated = gateConditionScores({ probabilities: probabilitiesOf(even), levelBpm, largeExcursions60 });
    return Object.fromEntries(SCREEN_CLASSES.map((name, index) => [name, gated[index]!])) as Record<(typeof SCREEN_CLASSES)[number], number>;
  };

  it("keeps bradycardia below 50 bpm and tachycardia above 100 bpm, and neither well inside the normal range", () => {
    expect(gate(BRADYCARDIA_BELOW_BPM - 5, 0).bradycardia).toBeCloseTo(0.2, 12);
    expect(gate(BRADYCARDIA_BELOW_BPM + RATE_GATE_MARGIN_BPM / 2, 0).bradycardia).toBeCloseTo(0.1, 12);
    expect(gate(BRADYCARDIA_BELOW_BPM + RATE_GATE_MARGIN_BPM, 0).bradycardia).toBe(0);
    expect(gate(TACHYCARDIA_ABOVE_BPM + 20, 0).tachycardia_rest).toBeCloseTo(0.2, 12);
    expect(gate(TACHYCARDIA_ABOVE_BPM - RATE_GATE_MARGIN_BPM, 0).tachycardia_rest).toBe(0);
    const normal = gate(70, ECTOPY_MIN_LARGE_EXCURSIONS);
    expect(normal).toMatchObject({ tachycardia_rest: 0, bradycardia: 0, afib: 0.2, ectopic_burst: 0.2 });
    expect(normal.none).toBeCloseTo(0.6, 12);
  });

  it("counts ectopy only with pulse-deficit-sized excursions, never touches AF, and keeps the sum at 1", () => {
    const quiet = gate(45, ECTOPY_MIN_LARGE_EXCURSIONS - 1);
    expect(quiet.ectopic_burst).toBe(0);
    expect(quiet.afib).toBe(0.2);
    // 45 bpm: bradycardia stays, tachycardia and ectopy go to "none".
    expect(quiet.bradycardia).toBe(0.2);
    expect(quiet.none).toBeCloseTo(0.6, 12);
    expect(gate(45, ECTOPY_MIN_LARGE_EXCURSIONS).ectopic_burst).toBe(0.2);
    for (const levelBpm of [30, 52, 75, 98, 130]) {
      const sum = Object.values(gate(levelBpm, 1)).reduce((total, value) => total + value, 0);
      expect(sum).toBeCloseTo(1, 12);
    }
  });
});

describe("screen features", () => {
  it("pins the features of a hand-built window", () => {
    const extractor = createScreenFeatureExtractor({ initialBaselineBpm: 60, ageYears: 50 });
    let features: Float64Array | null = null;
    // 60 s alternating 60 / 66 bpm at activity 0, then the last 10 s at 66 with one dropout.
    for (let t = 0; t < 60; t += 1) features = extractor.push({ bpm: t % 2 === 0 ? 60 : 66, activity: 0, atMs: t * 1000 });
    for (let t = 0; t < 10; t += 1) features = extractor.push({ bpm: t === 4 ? 0 : 66, activity: 0, atMs: (60 + t) * 1000 });
    const byName = Object.fromEntries(SCREEN_FEATURE_NAMES.map((name, index) => [name, features![index]!]));
    // Last 30 s: 10 x 60 and 19 x 66 (one dropout) -> median 66; last 10 s: 9 x 66.
    const baseline = extractor.state().baselineBpm!;
    expect(byName.level10VsBaseline).toBeCloseTo((66 - baseline) / baseline, 12);
    expect(byName.level30VsBaseline).toBeCloseTo((66 - baseline) / baseline, 12);
    expect(byName.level10Absolute).toBeCloseTo((66 - 75) / 25, 12);
    expect(byName.activity30).toBe(0);
    // Differences of the last 30 s: 19 pairs alternate (6 each), 8 pairs at 66 (0), the dropout breaks 2 pairs.
    expect(byName.medianAbsDiff).toBeCloseTo((10 * 6) / 66, 12);
    expect(byName.meanAbsDiff).toBeCloseTo((10 * ((19 * 6) / 27)) / 66, 12);
    expect(byName.outlierFraction30).toBe(0);
    expect(byName.missingFraction30).toBeCloseTo(1 / 30, 12);
    expect(byName.bigJumpFraction30).toBe(0);
    // An initial baseline counts as warmed up (300); every second from the 15th reading on updates it (56).
    expect(byName.baselineConfidence).toBeCloseTo((300 + 56) / 600, 12);
  });
});
