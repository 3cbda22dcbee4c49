import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { EPISODE_TYPES, isClinicalEpisode, TACHYCARDIA_MIN_BPM, type TEpisode, type TEpisodeType } from "@/lib/sim/episodes";
import {
  createHeartRateStream,
  generateHeartRate,
  NO_READING_BPM,
  READING_MAX_BPM,
  READING_MIN_BPM,
  type THeartRateOptions,
  type THeartRateSeries,
} from "@/lib/sim/heart-rate";

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error("mean of nothing");
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function sd(values: readonly number[]): number {
  const center = mean(values);
  return Math.sqrt(mean(values.map((value) => (value - center) ** 2)));
}

/** SD of second-to-second changes between consecutive readings (gaps excluded). */
function diffSd(bpm: readonly number[]): number {
  const diffs: number[] = [];
  for (let index = 1; index < bpm.length; index += 1) {
    if (bpm[index]! > 0 && bpm[index - 1]! > 0) diffs.push(bpm[index]! - bpm[index - 1]!);
  }
  return sd(diffs);
}

function readings(bpm: readonly number[]): number[] {
  return bpm.filter((value) => value !== NO_READING_BPM);
}

function slice(series: THeartRateSeries, fromS: number, toS: number) {
  return { bpm: series.bpm.slice(fromS, toS), activity: series.activity.slice(fromS, toS) };
}

function during(series: THeartRateSeries, episode: TEpisode) {
  return slice(series, episode.startS, episode.startS + episode.durationS);
}

/** Runs of consecutive NO_READING samples. */
function countGaps(bpm: readonly number[]): number {
  let gaps = 0;
  for (let index = 0; index < bpm.length; index += 1) {
    if (bpm[index] === NO_READING_BPM && (index === 0 || bpm[index - 1] !== NO_READING_BPM)) gaps += 1;
  }
  return gaps;
}

describe("generateHeartRate determinism", () => {
  const options: THeartRateOptions = {
    seed: 11,
    episodes: [
      { type: "workout", startS: 1800, durationS: 1500 },
      { type: "afib", startS: 4000, durationS: 300 },
    ],
    gapRatePerHour: 4,
    artifactRatePerHour: 4,
  };

  it("gives identical output for the same seed, and the stream matches the arrays", () => {
    const first = generateHeartRate(options, 2 * HOUR_S);
    const second = generateHeartRate(options, 2 * HOUR_S);
    expect(second).toEqual(first);
    const stream = createHeartRateStream(options);
    for (let tS = 0; tS < 2 * HOUR_S; tS += 1) {
      const sample = stream.next();
      if (sample.tS !== tS || sample.bpm !== first.bpm[tS] || sample.activity !== first.activity[tS] || sample.truth !== first.truth[tS]) {
        throw new Error(`stream and arrays differ at ${tS}: ${JSON.stringify(sample)}`);
      }
    }
  });

  it("gives different output for a different seed", () => {
    const first = generateHeartRate(options, HOUR_S);
    const other = generateHeartRate({ ...options, seed: 12 }, HOUR_S);
    const differing = first.bpm.filter((value, index) => value !== other.bpm[index]).length;
    expect(differing).toBeGreaterThan(HOUR_S / 2);
    expect(other.activity).not.toEqual(first.activity);
  });

  it("refuses overlapping episodes with the path of the offending one", () => {
    const bad: THeartRateOptions = {
      seed: 1,
      episodes: [
        { type: "afib", startS: 100, durationS: 120 },
        { type: "stairs", startS: 200, durationS: 60 },
      ],
    };
    expect(() => createHeartRateStream(bad)).toThrow(ZodError);
    try {
      createHeartRateStream(bad);
    } catch (error) {
      expect((error as ZodError).issues.map((issue) => issue.path.join("."))).toEqual(["episodes.1.startS"]);
    }
  });
});

describe("a simulated day", () => {
  // startEpochMs 0 and offset 0: tS is the local time of day.
  const restingBpm = 66;
  const day = generateHeartRate({ seed: 3, restingBpm, ageYears: 50, gapRatePerHour: 1, artifactRatePerHour: 1 }, DAY_S);

  it("reports integer readings in range, 0 only for gaps, and integer activity 0..1000", () => {
    for (let tS = 0; tS < DAY_S; tS += 1) {
      const bpm = day.bpm[tS]!;
      const activity = day.activity[tS]!;
      const isValidBpm = bpm === NO_READING_BPM || (Number.isInteger(bpm) && bpm >= READING_MIN_BPM && bpm <= READING_MAX_BPM);
      const isValidActivity = Number.isInteger(activity) && activity >= 0 && activity <= 1000;
      if (!isValidBpm || !isValidActivity) throw new Error(`bad sample at ${tS}: ${bpm} bpm, activity ${activity}`);
    }
    expect(day.truth.every((label) => label === null)).toBe(true);
  });

  it("is slower and stiller at night than in the day", () => {
    const night = slice(day, 1 * HOUR_S, 5 * HOUR_S);
    const daytime = slice(day, 10 * HOUR_S, 18 * HOUR_S);
    const nightMean = mean(readings(night.bpm));
    expect(nightMean).toBeLessThan(mean(readings(daytime.bpm)) - 5);
    // Nocturnal dip of 10-15 % (+-2 % circadian) below the awake resting rate.
    expect(nightMean).toBeLessThan(restingBpm * 0.92);
    expect(nightMean).toBeGreaterThan(restingBpm * 0.8);
    expect(mean(night.activity)).toBeLessThan(5);
    // Awake: still most of the time, but with walks.
    expect(mean(daytime.activity)).toBeGreaterThan(10);
    expect(daytime.activity.filter((activity) => activity >= 100).length).toBeGreaterThan(10 * 60);
  });

  it("raises the heart rate with activity, after a lag", () => {
    const active: number[] = [];
    const still: number[] = [];
    for (let tS = 7 * HOUR_S + 180; tS < 22 * HOUR_S; tS += 1) {
      const bpm = day.bpm[tS]!;
      if (bpm === NO_READING_BPM) continue;
      const lastThreeMinutes = day.activity.slice(tS - 180, tS);
      if (lastThreeMinutes.every((activity) => activity >= 100)) active.push(bpm);
      if (lastThreeMinutes.every((activity) => activity <= 20)) still.push(bpm);
    }
    expect(active.length).toBeGreaterThan(300);
    expect(mean(active)).toBeGreaterThan(mean(still) + 15);
    expect(mean(still)).toBeGreaterThan(restingBpm * 0.95);
    expect(mean(still)).toBeLessThan(restingBpm * 1.1);
  });

  it("follows the local clock: with UTC+10 the night falls 10 hours earlier in the stream", () => {
    const shifted = generateHeartRate({ seed: 3, restingBpm, utcOffsetMinutes: 600, gapRatePerHour: 0 }, DAY_S);
    const localNight = slice(shifted, 15 * HOUR_S, 19 * HOUR_S); // 01:00-05:00 local
    const localDay = slice(shifted, 1 * HOUR_S, 5 * HOUR_S); // 11:00-15:00 local
    expect(mean(localNight.bpm)).toBeLessThan(restingBpm * 0.92);
    expect(mean(localNight.bpm)).toBeLessThan(mean(localDay.bpm) - 5);
    expect(mean(localNight.activity)).toBeLessThan(5);
  });
});

describe("episodes", () => {
  const restingBpm = 68;
  const ageYears = 40;
  const maxBpm = 220 - ageYears;
  const episodes: TEpisode[] = [
    { type: "tachycardia_rest", startS: 1200, durationS: 600 },
    { type: "afib", startS: 2400, durationS: 900 },
    { type: "bradycardia", startS: 4200, durationS: 600 },
    { type: "ectopic_burst", startS: 5400, durationS: 600 },
    { type: "stairs", startS: 6600, durationS: 90 },
    { type: "workout", startS: 7800, durationS: 2400 },
    { type: "sensor_glitch", startS: 11400, durationS: 6 },
  ];
  const byType = (type: TEpisodeType) => episodes.find((episode) => episode.type === type)!;
  const seeds = [1, 2, 3, 4, 5];
  // 09:00 local, awake; no random bouts, gaps or artifacts, so each window shows the episode itself.
  const runs = seeds.map((seed) =>
    generateHeartRate(
      {
        seed,
        restingBpm,
        ageYears,
        startEpochMs: 9 * HOUR_S * 1000,
        episodes,
        gapRatePerHour: 0,
        artifactRatePerHour: 0,
        activityPlan: { boutsPerWakingHour: 0 },
      },
      11_520,
    ),
  );

  it("labels exactly the episode windows", () => {
    for (const run of runs) {
      run.truth.forEach((label, tS) => {
        const active = episodes.find((episode) => tS >= episode.startS && tS < episode.startS + episode.durationS);
        if (label !== (active?.type ?? null)) throw new Error(`truth at ${tS} is ${label}, expected ${active?.type ?? null}`);
      });
    }
  });

  it("tachycardia at rest: fast heart, still wrist", () => {
    for (const run of runs) {
      const window = during(run, byType("tachycardia_rest"));
      expect(mean(window.bpm)).toBeGreaterThan(TACHYCARDIA_MIN_BPM);
      expect(mean(window.activity)).toBeLessThan(15);
    }
  });

  it("bradycardia: below 50 bpm at rest", () => {
    for (const run of runs) {
      const window = during(run, byType("bradycardia"));
      expect(mean(window.bpm)).toBeLessThan(50);
      expect(mean(window.activity)).toBeLessThan(15);
    }
  });

  it("atrial fibrillation: fast and far more irregular second to second than sinus rhythm at a similar rate", () => {
    for (const run of runs) {
      const afib = during(run, byType("afib"));
      const workout = byType("workout");
      // The workout plateau is sinus rhythm at a comparable rate.
      const sinusFast = slice(run, workout.startS + 900, workout.startS + 1800);
      const afibMean = mean(afib.bpm);
      expect(afibMean).toBeGreaterThan(95);
      expect(afibMean).toBeLessThan(165);
      expect(mean(sinusFast.bpm)).toBeGreaterThan(100);
      expect(Math.abs(mean(sinusFast.bpm) - afibMean)).toBeLessThan(60);
      expect(diffSd(afib.bpm)).toBeGreaterThan(10);
      expect(diffSd(afib.bpm)).toBeGreaterThan(4 * diffSd(sinusFast.bpm));
      expect(mean(afib.activity)).toBeLessThan(15);
    }
  });

  it("ectopic bursts: normal average rate with repeated brief dips and spikes", () => {
    for (const run of runs) {
      const episode = byType("ectopic_burst");
      const window = during(run, episode);
      const before = slice(run, episode.startS - 600, episode.startS);
      const jumps = (bpm: number[]) => bpm.slice(1).filter((value, index) => Math.abs(value - bpm[index]!) >= 12).length;
      expect(Math.abs(mean(window.bpm) - mean(before.bpm))).toBeLessThan(0.15 * restingBpm);
      expect(jumps(window.bpm)).toBeGreaterThan(20);
      expect(jumps(window.bpm)).toBeGreaterThan(5 * jumps(before.bpm));
    }
  });

  it("stairs: a rise of 20+ bpm within the climb, with high activity", () => {
    for (const run of runs) {
      const episode = byType("stairs");
      const window = during(run, episode);
      const before = slice(run, episode.startS - 120, episode.startS);
      const top = mean(window.bpm.slice(-10));
      expect(top - mean(before.bpm)).toBeGreaterThan(20);
      expect(top - mean(before.bpm)).toBeLessThan(60);
      expect(mean(window.activity)).toBeGreaterThan(300);
    }
  });

  it("workout: high heart rate AND high activity, with warm-up, cool-down and a gradual recovery at low activity", () => {
    for (const run of runs) {
      const episode = byType("workout");
      const plateau = slice(run, episode.startS + episode.durationS / 4, episode.startS + (3 * episode.durationS) / 4);
      const plateauMean = mean(plateau.bpm);
      expect(plateauMean).toBeGreaterThan(0.65 * maxBpm);
      const firstMinutes = slice(run, episode.startS, episode.startS + 120);
      const lastMinutes = slice(run, episode.startS + episode.durationS - 60, episode.startS + episode.durationS);
      expect(mean(firstMinutes.bpm)).toBeLessThan(plateauMean - 20);
      expect(mean(lastMinutes.bpm)).toBeLessThan(plateauMean - 15);
      expect(mean(plateau.activity)).toBeGreaterThan(400);
      const tachycardia = during(run, byType("tachycardia_rest"));
      // The activity channel is what separates the two for tier 1.
      expect(mean(plateau.activity)).toBeGreaterThan(20 * mean(tachycardia.activity));
      const endS = episode.startS + episode.durationS;
      const justAfter = slice(run, endS + 20, endS + 40);
      const later = slice(run, endS + 900, endS + 1200);
      // Still raised at rest right after: tier 1 must read the recent activity, not only the current one.
      expect(mean(justAfter.bpm)).toBeGreaterThan(restingBpm + 5);
      expect(mean(justAfter.bpm)).toBeGreaterThan(mean(later.bpm) + 3);
      expect(mean(justAfter.activity)).toBeLessThan(15);
      expect(mean(later.bpm)).toBeLessThan(restingBpm + 10);
    }
  });

  it("sensor glitch: only implausible values or no reading, wrist still", () => {
    for (const run of runs) {
      const window = during(run, byType("sensor_glitch"));
      expect(window.bpm.every((bpm) => bpm === NO_READING_BPM || bpm >= 200 || bpm <= 32)).toBe(true);
      expect(window.activity.every((activity) => activity <= 2)).toBe(true);
    }
  });

  it("every type has a clinical flag", () => {
    expect(EPISODE_TYPES.filter(isClinicalEpisode)).toEqual(["tachycardia_rest", "bradycardia", "afib", "ectopic_burst"]);
  });
});

describe("sensor gaps", () => {
  it("appear as 0 at roughly the configured rate", () => {
    const hours = 12;
    const series = generateHeartRate({ seed: 21, gapRatePerHour: 6, artifactRatePerHour: 0, startEpochMs: 8 * HOUR_S * 1000 }, hours * HOUR_S);
    const gaps = countGaps(series.bpm);
    expect(gaps).toBeGreaterThan(6 * hours * 0.6);
    expect(gaps).toBeLessThan(6 * hours * 1.4);
    expect(series.truth.every((label) => label === null)).toBe(true);
  });

  it("never appear when the rate is 0", () => {
    const series = generateHeartRate({ seed: 21, gapRatePerHour: 0, artifactRatePerHour: 5 }, 6 * HOUR_S);
    expect(series.bpm.includes(NO_READING_BPM)).toBe(false);
  });
});
