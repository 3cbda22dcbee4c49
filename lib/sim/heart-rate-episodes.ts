// How each episode type shapes the 1 Hz heart rate and the activity count while it runs. Parameters are
// drawn per episode from EPISODE_PARAMETERS (see episodes.ts for where the numbers come from).
import { EPISODE_PARAMETERS, type TEpisode, type TEpisodeType } from "./episodes";
import type { TRng } from "./rng";

export type TEpisodeRunner = {
  type: TEpisodeType;
  /**
   * Activity while the episode runs, or null when the patient simply stays still (clinical episodes:
   * the stream then uses its resting or asleep activity).
   */
  nextActivity: ((elapsedS: number) => number) | null;
  /** Exercise: the heart-rate target the physiological lag follows instead of the activity-driven one. */
  exerciseTargetBpm: ((baseBpm: number, elapsedS: number) => number) | null;
  /** Arrhythmia: replaces the sinus rate the body would otherwise have. */
  applyRhythm: ((sinusBpm: number, elapsedS: number) => number) | null;
  /** Sensor failure: the reading the watch reports regardless of the heart (0 = no reading). */
  sensorReading: ((elapsedS: number) => number) | null;
};

export type TPatientPhysiology = { maxBpm: number; tauUpS: number };

function draw(rng: TRng, range: readonly [number, number]): number {
  return rng.uniform(range[0], range[1]);
}

/** 0 -> 1 over the onset, 1 -> 0 over the offset, smooth (raised cosine) at both ends. */
function envelope(elapsedS: number, durationS: number, onsetS: number, offsetS: number): number {
  const rise = Math.min(1, (elapsedS + 0.5) / onsetS);
  const fall = Math.min(1, (durationS - elapsedS - 0.5) / offsetS);
  const x = Math.max(0, Math.min(rise, fall));
  return 0.5 - 0.5 * Math.cos(Math.PI * x);
}

/** Onset and offset are shortened together when the episode is too short to hold both. */
function fitRamps(durationS: number, onsetS: number, offsetS: number): [number, number] {
  const scale = Math.min(1, (durationS * 0.5) / (onsetS + offsetS));
  return [Math.max(1, onsetS * scale), Math.max(1, offsetS * scale)];
}

const NONE = { nextActivity: null, exerciseTargetBpm: null, applyRhythm: null, sensorReading: null } as const;

export function createEpisodeRunner(options: { episode: TEpisode; rng: TRng; physiology: TPatientPhysiology }): TEpisodeRunner {
  const { episode, rng, physiology } = options;
  const { durationS } = episode;

  switch (episode.type) {
    case "tachycardia_rest": {
      const p = EPISODE_PARAMETERS.tachycardia_rest;
      const targetBpm = draw(rng, p.targetBpm);
      const [onsetS, offsetS] = fitRamps(durationS, draw(rng, p.onsetS), draw(rng, p.offsetS));
      return {
        ...NONE,
        type: episode.type,
        // Re-entrant and sinus tachycardia at rest are regular: little beat-to-beat variation.
        applyRhythm: (sinusBpm, elapsedS) => {
          const level = envelope(elapsedS, durationS, onsetS, offsetS);
          return sinusBpm + (targetBpm + rng.normal(0, 1) - sinusBpm) * level;
        },
      };
    }
    case "bradycardia": {
      const p = EPISODE_PARAMETERS.bradycardia;
      const targetBpm = draw(rng, p.targetBpm);
      const [onsetS, offsetS] = fitRamps(durationS, draw(rng, p.onsetS), draw(rng, p.offsetS));
      return {
        ...NONE,
        type: episode.type,
        applyRhythm: (sinusBpm, elapsedS) => {
          const level = envelope(elapsedS, durationS, onsetS, offsetS);
          return sinusBpm + (targetBpm + rng.normal(0, 0.8) - sinusBpm) * level;
        },
      };
    }
    case "afib": {
      const p = EPISODE_PARAMETERS.afib;
      const meanBpm = draw(rng, p.meanBpm);
      const jitterSdBpm = draw(rng, p.jitterSdBpm);
      const [onsetS, offsetS] = fitRamps(durationS, draw(rng, p.onsetS), draw(rng, p.offsetS));
      // The mean ventricular rate wanders slowly; each second's value is an independent draw around it,
      // because successive RR intervals in AF are (nearly) uncorrelated.
      let wanderBpm = 0;
      const wanderDecay = Math.exp(-1 / 120);
      const wanderStepSd = 5 * Math.sqrt(1 - wanderDecay * wanderDecay);
      return {
        ...NONE,
        type: episode.type,
        applyRhythm: (sinusBpm, elapsedS) => {
          wanderBpm = wanderBpm * wanderDecay + rng.normal(0, wanderStepSd);
          const level = envelope(elapsedS, durationS, onsetS, offsetS);
          const afibBpm = meanBpm + wanderBpm + rng.normal(0, jitterSdBpm);
          return sinusBpm + (afibBpm - sinusBpm) * level;
        },
      };
    }
    case "ectopic_burst": {
      const p = EPISODE_PARAMETERS.ectopic_burst;
      const burstStartPerS = 1 / draw(rng, p.meanSecondsBetweenBursts);
      let burstRemainingS = 0;
      let burstChange = 0;
      let sign = -1;
      let alternates = false;
      return {
        ...NONE,
        type: episode.type,
        applyRhythm: (sinusBpm) => {
          if (burstRemainingS === 0 && rng.chance(burstStartPerS)) {
            burstRemainingS = rng.int(p.burstLengthS[0], p.burstLengthS[1]);
            burstChange = draw(rng, p.burstChangeFraction);
            // Pulse deficit (dips only) or premature beat + compensatory pause (spike, then dip).
            alternates = rng.chance(0.4);
            sign = alternates ? 1 : -1;
          }
          if (burstRemainingS === 0) return sinusBpm;
          burstRemainingS -= 1;
          const value = sinusBpm * (1 + sign * burstChange);
          if (alternates) sign = -sign;
          return value;
        },
      };
    }
    case "stairs": {
      const p = EPISODE_PARAMETERS.stairs;
      const riseBpm = draw(rng, p.riseBpm);
      const activityLevel = draw(rng, p.activity);
      // The lag would leave a short climb short of its rise; aim higher so the rise is reached by the top.
      const boost = Math.min(1.6, 1 / (1 - Math.exp(-durationS / physiology.tauUpS)));
      return {
        ...NONE,
        type: episode.type,
        nextActivity: () => activityLevel * (1 + rng.normal(0, 0.1)),
        exerciseTargetBpm: (baseBpm) => Math.min(physiology.maxBpm * 0.9, baseBpm + riseBpm * boost),
      };
    }
    case "workout": {
      const p = EPISODE_PARAMETERS.workout;
      const peakBpm = draw(rng, p.peakFractionOfMax) * physiology.maxBpm;
      const peakActivity = draw(rng, p.activity);
      const warmUpS = Math.min(draw(rng, p.warmUpS), durationS * 0.25);
      const coolDownS = Math.min(draw(rng, p.coolDownS), durationS * 0.2);
      const intervalPeriodS = rng.uniform(120, 480);
      // Intensity 0..1 of the peak: warm-up from 25 %, a plateau with mild intervals, cool-down to 15 %.
      const intensity = (elapsedS: number) => {
        if (elapsedS < warmUpS) return 0.25 + 0.75 * (elapsedS / warmUpS);
        const untilEndS = durationS - elapsedS;
        if (untilEndS < coolDownS) return 0.15 + 0.85 * (untilEndS / coolDownS);
        return 0.97 + 0.03 * Math.sin((2 * Math.PI * elapsedS) / intervalPeriodS);
      };
      return {
        ...NONE,
        type: episode.type,
        nextActivity: (elapsedS) => peakActivity * (0.3 + 0.7 * intensity(elapsedS)) * (1 + rng.normal(0, 0.08)),
        exerciseTargetBpm: (baseBpm, elapsedS) => baseBpm + Math.max(0, peakBpm - baseBpm) * intensity(elapsedS),
      };
    }
    case "sensor_glitch": {
      const p = EPISODE_PARAMETERS.sensor_glitch;
      let runRemainingS = 0;
      let runKind: "dropout" | "spike" | "low" = "dropout";
      return {
        ...NONE,
        type: episode.type,
        nextActivity: () => (rng.chance(0.3) ? 1 : 0),
        sensorReading: () => {
          if (runRemainingS === 0) {
            runRemainingS = rng.int(p.runLengthS[0], p.runLengthS[1]);
            const kindDraw = rng.next();
            runKind = kindDraw < 0.45 ? "dropout" : kindDraw < 0.85 ? "spike" : "low";
          }
          runRemainingS -= 1;
          if (runKind === "dropout") return 0;
          if (runKind === "spike") return draw(rng, p.spikeBpm);
          return rng.uniform(25, 32);
        },
      };
    }
  }
}
