// Wrist accelerometer activity count, one integer per second on a 0..1000 scale. The scale is the
// simulator's own (like ActiGraph counts, it is device-specific): ~0-5 still or asleep, 30-100 light
// movement (standing, chores), 100-400 walking, 400-900 running. It only needs to separate "at rest"
// from "moving" the way a real watch does, because tier 1 uses it as context.
import { z } from "zod";
import type { TRng } from "./rng";

export const ACTIVITY_MAX = 1000;

export const ZActivityPlanSchema = z.strictObject({
  /** Local hour the patient usually falls asleep (night-to-night SD ~20 min). */
  sleepStartHour: z.number().min(0).max(24).default(23),
  /** Local hour the patient usually wakes up. */
  sleepEndHour: z.number().min(0).max(24).default(7),
  /** Movement bouts (light activity, walks, runs) started per waking hour spent at rest. */
  boutsPerWakingHour: z.number().min(0).max(30).default(1.5),
  /** Share of bouts that are light activity (standing, household) rather than walks. */
  lightShare: z.number().min(0).max(1).default(0.4),
  /** Share of bouts that are runs: unlabelled exercise the detector must also tolerate. */
  runningShare: z.number().min(0).max(1).default(0.02),
});
export type TActivityPlan = z.infer<typeof ZActivityPlanSchema>;
export type TActivityPlanInput = z.input<typeof ZActivityPlanSchema>;

type TBout = "rest" | "light" | "walk" | "run";

export type TActivityModel = {
  /** Sitting or lying awake: mostly 0-5 with brief fidgets. */
  nextRest(): number;
  /** Asleep: ~0 with the odd roll-over. */
  nextAsleep(): number;
  /** Awake and free: rest interrupted by random bouts of light activity, walks and runs. */
  nextAwake(): number;
  /** Back to rest, e.g. when an episode takes over the activity or the patient falls asleep. */
  resetToRest(): void;
};

function clampActivity(value: number): number {
  return Math.min(ACTIVITY_MAX, Math.max(0, Math.round(value)));
}

/** Log-uniform duration: short bouts are common, long ones rare. */
function logUniform(rng: TRng, min: number, max: number): number {
  return Math.round(Math.exp(rng.uniform(Math.log(min), Math.log(max))));
}

/**
 * Whole seconds until the next event of a Poisson process. Drawing the wait once per event, rather than
 * a coin per second, keeps the per-second cost of a day-long stream low.
 */
export function drawWaitS(rng: TRng, ratePerS: number): number {
  if (ratePerS <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(1, Math.ceil(-Math.log(1 - rng.next()) / ratePerS));
}

// Fidgets while sitting awake: about one every 2 min. Roll-overs asleep: a few per hour.
const FIDGET_PER_S = 1 / 120;
const ROLL_OVER_PER_S = 1 / 1500;
// Standing at a crossing or a door during a walk: about every 4 min.
const WALK_PAUSE_PER_S = 1 / 240;

export function createActivityModel(options: { rng: TRng; plan: TActivityPlan }): TActivityModel {
  const { rng, plan } = options;
  const boutStartPerS = plan.boutsPerWakingHour / 3600;
  let bout: TBout = "rest";
  let boutRemainingS = 0;
  let boutLevel = 0;
  let untilBoutS = drawWaitS(rng, boutStartPerS);
  let stillMode: "rest" | "asleep" = "rest";
  let untilFidgetS = drawWaitS(rng, FIDGET_PER_S);
  let fidgetRemainingS = 0;
  let fidgetLevel = 0;
  let untilPauseS = 0;
  let pauseRemainingS = 0;

  const nextStill = (mode: "rest" | "asleep") => {
    if (mode !== stillMode) {
      stillMode = mode;
      untilFidgetS = drawWaitS(rng, mode === "rest" ? FIDGET_PER_S : ROLL_OVER_PER_S);
    }
    if (fidgetRemainingS > 0) {
      fidgetRemainingS -= 1;
      return clampActivity(fidgetLevel * rng.uniform(0.6, 1.4));
    }
    untilFidgetS -= 1;
    if (untilFidgetS <= 0) {
      untilFidgetS = drawWaitS(rng, mode === "rest" ? FIDGET_PER_S : ROLL_OVER_PER_S);
      fidgetRemainingS = mode === "rest" ? rng.int(2, 6) : rng.int(2, 8);
      fidgetLevel = mode === "rest" ? rng.uniform(10, 60) : rng.uniform(15, 60);
    }
    const draw = rng.next();
    // Sitting still: 0-5, mostly 0-2 (wrist micro-movements).
    if (mode === "rest") return Math.floor(6 * draw * draw);
    return draw < 0.05 ? 1 + Math.floor(draw * 60) : 0;
  };

  const startBout = () => {
    const draw = rng.next();
    if (draw < plan.runningShare) {
      bout = "run";
      boutRemainingS = rng.int(900, 2700);
      boutLevel = rng.uniform(450, 850);
    } else if (draw < plan.runningShare + plan.lightShare * (1 - plan.runningShare)) {
      bout = "light";
      boutRemainingS = logUniform(rng, 120, 1200);
      boutLevel = rng.uniform(30, 100);
    } else {
      bout = "walk";
      boutRemainingS = logUniform(rng, 180, 1500);
      boutLevel = rng.uniform(120, 380);
      untilPauseS = drawWaitS(rng, WALK_PAUSE_PER_S);
    }
  };

  const resetToRest = () => {
    if (bout === "rest") return;
    bout = "rest";
    pauseRemainingS = 0;
    untilBoutS = drawWaitS(rng, boutStartPerS);
  };

  const nextAwake = () => {
    if (bout === "rest") {
      untilBoutS -= 1;
      if (untilBoutS > 0) return nextStill("rest");
      startBout();
    }
    const current = bout;
    boutRemainingS -= 1;
    if (boutRemainingS <= 0) resetToRest();
    if (pauseRemainingS > 0) {
      pauseRemainingS -= 1;
      return clampActivity(rng.uniform(0, 20));
    }
    if (current === "walk" && --untilPauseS <= 0) {
      pauseRemainingS = rng.int(5, 30);
      untilPauseS = drawWaitS(rng, WALK_PAUSE_PER_S);
    }
    const spread = current === "run" ? 0.08 : current === "walk" ? 0.12 : 0.35;
    return clampActivity(boutLevel * (1 + rng.normal(0, spread)));
  };

  return {
    nextRest: () => nextStill("rest"),
    nextAsleep: () => nextStill("asleep"),
    nextAwake,
    resetToRest,
  };
}
