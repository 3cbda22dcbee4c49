// Tier 1, the watch screen: every 1 Hz sample updates the patient's online state and scores the window
// that ends with it. The same code and weights run on the simulated watch and on the server at ingest.
import { createScreenFeatureExtractor, WARM_UP_REST_UPDATES, type TScreenFeatureOptions, type TScreenSample } from "./create-screen-features";
import { gateConditionScores } from "./gate-condition-scores";
import { createScreenModel, SCREEN_CLASSES, SCREEN_CONDITIONS, type TScreenCondition, type TScreenModel, type TWatchScreenWeights } from "./screen-model";

export type TScreenResult = {
  atMs: number;
  /** 1 - P(no clinical event): how suspicious the window is, 0..1. */
  score: number;
  /** The clinical condition with the highest probability. */
  suspected: TScreenCondition;
  /** P(condition) per clinical condition. */
  conditionScores: Record<TScreenCondition, number>;
  /** Median of the last 10 s of readings. */
  levelBpm: number;
  baselineBpm: number;
  /** Activity count averaged over ~45 s (the heart rate's own lag): the context the score used. */
  activityLevel: number;
  /** True until the baseline has learned from enough time at rest; scores are less reliable meanwhile. */
  isWarmingUp: boolean;
};

export type TWatchScreen = {
  /** Scores the window ending at this sample; null when the last 30 s hold too few readings. */
  push(sample: TScreenSample): TScreenResult | null;
  /**
   * Learns from a sample without scoring it: the same state afterwards as push(), at about a sixth of
   * the cost (the feature vector, the network and the result are skipped). For history that can no
   * longer trigger anything.
   */
  observe(sample: TScreenSample): void;
  getBaselineBpm(): number | null;
};

/**
 * One patient's screen. `weights` builds a model of its own; `model` shares one across patients (the
 * server screens every patient with the same weights: a copy each was ~4.5 KB per patient, and at
 * 10,000 patients the detection state's size made each full garbage collection take both cores).
 * Sharing is safe: predict() runs to completion before any other screen can call it.
 */
export function createWatchScreen(options: ({ weights: TWatchScreenWeights } | { model: TScreenModel }) & TScreenFeatureOptions): TWatchScreen {
  const extractor = createScreenFeatureExtractor(options);
  const model = "model" in options ? options.model : createScreenModel(options.weights);
  const probabilities = new Float64Array(SCREEN_CLASSES.length);
  return {
    push(sample) {
      const features = extractor.push(sample);
      if (!features) return null;
      model.predict(features, probabilities);
      const state = extractor.state();
      gateConditionScores({ probabilities, levelBpm: state.level10Bpm ?? 0, largeExcursions60: state.largeExcursions60 });
      let suspected: TScreenCondition = SCREEN_CONDITIONS[0]!;
      let best = -1;
      const conditionScores = {} as Record<TScreenCondition, number>;
      SCREEN_CONDITIONS.forEach((condition, index) => {
        const probability = probabilities[index + 1] as number;
        conditionScores[condition] = probability;
        if (probability > best) {
          best = probability;
          suspected = condition;
        }
      });
      return {
        atMs: sample.atMs,
        score: 1 - (probabilities[0] as number),
        suspected,
        conditionScores,
        levelBpm: state.level10Bpm ?? 0,
        baselineBpm: state.baselineBpm ?? state.level30Bpm ?? 0,
        activityLevel: state.activityLag,
        isWarmingUp: state.restUpdates < WARM_UP_REST_UPDATES,
      };
    },
    observe(sample) {
      extractor.observe(sample);
    },
    getBaselineBpm: () => extractor.state().baselineBpm,
  };
}
