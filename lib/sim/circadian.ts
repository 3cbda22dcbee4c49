// Day-night rhythm of the simulated patient: local time, when they sleep, and how the resting heart
// rate moves over the day.
import type { TRng } from "./rng";

export const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

/** Milliseconds on the local clock (epoch shifted by the fixed UTC offset; no DST). */
export function getLocalMs(options: { epochMs: number; utcOffsetMinutes?: number }): number {
  return options.epochMs + (options.utcOffsetMinutes ?? 0) * 60_000;
}

/** Local hour of day in [0, 24). */
export function getLocalHour(options: { epochMs: number; utcOffsetMinutes?: number }): number {
  const localMs = getLocalMs(options);
  return (((localMs % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_HOUR;
}

/**
 * Awake resting heart rate relative to the personal resting value: a small circadian swing of +-3 %,
 * highest in the late afternoon and lowest in the early morning (core-temperature rhythm).
 */
export function getAwakeHeartRateFactor(localHour: number): number {
  return 1 + 0.03 * Math.cos((2 * Math.PI * (localHour - 16)) / 24);
}

/**
 * Asleep heart rate relative to the personal resting value. Nocturnal heart rate falls roughly 10-15 %
 * below the awake resting rate ("dipping"); the nadir is in the second half of the night, around 04:00.
 * `dipFraction` is the patient's own dip (0.10-0.15).
 */
export function getAsleepHeartRateFactor(localHour: number, dipFraction: number): number {
  return 1 - dipFraction - 0.02 * Math.cos((2 * Math.PI * (localHour - 4)) / 24);
}

export type TSleepSchedule = {
  /** Whether the patient is asleep at this local time (ms on the local clock). */
  isAsleep(localMs: number): boolean;
};

type TNight = { startMs: number; endMs: number };

/**
 * Sleep from about `sleepStartHour` to `sleepEndHour` local time (crossing midnight when start > end),
 * with bedtime and wake-up varying from night to night (SD ~20 min). Each night's times come from its
 * own fork of the random stream, so the schedule is a pure function of the seed and the local date.
 * Only the nights around the current day are kept: O(1) memory for a stream that runs forever.
 */
export function createSleepSchedule(options: { rng: TRng; sleepStartHour: number; sleepEndHour: number }): TSleepSchedule {
  const { rng, sleepStartHour, sleepEndHour } = options;
  const plannedHours = (((sleepEndHour - sleepStartHour) % 24) + 24) % 24;
  const nights = new Map<number, TNight | null>();

  const getNight = (dayIndex: number): TNight | null => {
    const cached = nights.get(dayIndex);
    if (cached !== undefined) return cached;
    let night: TNight | null = null;
    if (plannedHours > 0) {
      const nightRng = rng.fork(`night:${dayIndex}`);
      const startHour = sleepStartHour + nightRng.normal(0, 0.35);
      const hours = Math.min(16, Math.max(1, plannedHours + nightRng.normal(0, 0.3)));
      const startMs = dayIndex * MS_PER_DAY + startHour * MS_PER_HOUR;
      night = { startMs, endMs: startMs + hours * MS_PER_HOUR };
    }
    if (nights.size > 8) nights.clear();
    nights.set(dayIndex, night);
    return night;
  };

  // The answer only changes at a bedtime or a wake-up; remember the span it holds for, since the
  // stream asks every second.
  let spanFromMs = Number.POSITIVE_INFINITY;
  let spanUntilMs = Number.NEGATIVE_INFINITY;
  let spanIsAsleep = false;

  return {
    isAsleep(localMs) {
      if (localMs >= spanFromMs && localMs < spanUntilMs) return spanIsAsleep;
      const dayIndex = Math.floor(localMs / MS_PER_DAY);
      // A night that starts on day d reaches into day d+1; jitter can pull a bedtime near midnight into
      // the previous day, so look one night either side. Spans are cut at day boundaries to stay exact.
      spanFromMs = dayIndex * MS_PER_DAY;
      spanUntilMs = spanFromMs + MS_PER_DAY;
      spanIsAsleep = false;
      for (let day = dayIndex - 1; day <= dayIndex + 1; day += 1) {
        const night = getNight(day);
        if (!night) continue;
        if (localMs >= night.startMs && localMs < night.endMs) {
          spanIsAsleep = true;
          spanFromMs = Math.max(spanFromMs, night.startMs);
          spanUntilMs = Math.min(spanUntilMs, night.endMs);
          break;
        }
        if (night.startMs > localMs) spanUntilMs = Math.min(spanUntilMs, night.startMs);
        if (night.endMs <= localMs) spanFromMs = Math.max(spanFromMs, night.endMs);
      }
      return spanIsAsleep;
    },
  };
}
