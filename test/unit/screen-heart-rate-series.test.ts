import { describe, expect, it } from "vitest";
import { deriveHeartRateSeries } from "@/lib/detect/screen/derive-heart-rate-series";

const beatsEvery = (intervalS: number, fromS: number, toS: number) => {
  const beats: number[] = [];
  for (let timeS = fromS; timeS < toS; timeS += intervalS) beats.push(Number(timeS.toFixed(6)));
  return beats;
};

describe("deriveHeartRateSeries (1 Hz watch readings from beat times)", () => {
  it("reports the mean rate of the last 5 s of beats, one reading per second", () => {
    const bpm = deriveHeartRateSeries({ beatTimesS: beatsEvery(0.8, 0.5, 60), durationS: 60 });
    expect(bpm.length).toBe(60);
    // From the second second on there are two beats in the window: 75 bpm throughout.
    expect(Array.from(bpm.slice(2))).toEqual(new Array(58).fill(75));
  });

  it("follows a change of rate within the averaging window", () => {
    const beatTimesS = [...beatsEvery(1, 0.5, 30), ...beatsEvery(0.5, 30.5, 60)];
    const bpm = deriveHeartRateSeries({ beatTimesS, durationS: 60 });
    expect(bpm[25]).toBe(60);
    expect(bpm[40]).toBe(120);
    // 2 s after the change the window holds both rates: in between.
    expect(bpm[31]).toBeGreaterThan(60);
    expect(bpm[31]).toBeLessThan(120);
  });

  it("reports no reading (0) over a pause and outside the device's 25-250 bpm", () => {
    const beatTimesS = [...beatsEvery(1, 0.5, 20), ...beatsEvery(1, 30.5, 40)];
    const bpm = deriveHeartRateSeries({ beatTimesS, durationS: 40 });
    expect(bpm[25]).toBe(0);
    expect(bpm[35]).toBe(60);
    // 2 s apart: 30 bpm is accepted; 3.5 s apart (17 bpm) is not a reading.
    expect(deriveHeartRateSeries({ beatTimesS: beatsEvery(2, 0.5, 30), durationS: 30 })[20]).toBe(30);
    expect(deriveHeartRateSeries({ beatTimesS: beatsEvery(3.5, 0.5, 30), durationS: 30, averagingWindowS: 10 })[20]).toBe(0);
  });

  it("shows an irregular rhythm as second-to-second jitter, less with longer averaging", () => {
    let timeS = 0;
    let state = 7;
    const beatTimesS: number[] = [];
    while (timeS < 300) {
      state = (state * 1103515245 + 12345) % 2147483648;
      timeS += 0.35 + 0.5 * (state / 2147483648);
      beatTimesS.push(timeS);
    }
    const jitter = (averagingWindowS: number) => {
      const bpm = deriveHeartRateSeries({ beatTimesS, durationS: 300, averagingWindowS });
      let sum = 0;
      for (let index = 11; index < bpm.length; index += 1) sum += Math.abs((bpm[index] as number) - (bpm[index - 1] as number));
      return sum / (bpm.length - 11);
    };
    expect(jitter(3)).toBeGreaterThan(jitter(10));
    expect(jitter(5)).toBeGreaterThan(1);
  });
});
