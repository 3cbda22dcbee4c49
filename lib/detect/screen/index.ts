// Tier 1, the watch screen. Everything here is pure (no I/O, no Node APIs), so the watch, the browser
// and the server import the same code. The server-side loader that reads and verifies the artifact is
// lib/detect/screen/load-watch-screen-model.ts (node:fs, node:crypto), kept out of this index for that reason.
export {
  createScreenFeatureExtractor,
  MIN_VALID_READINGS,
  SCREEN_FEATURE_COUNT,
  SCREEN_FEATURE_NAMES,
  type TScreenFeatureExtractor,
  type TScreenFeatureName,
  type TScreenFeatureOptions,
  type TScreenSample,
} from "./create-screen-features";
export { createWatchScreen, type TScreenResult, type TWatchScreen } from "./create-watch-screen";
export {
  createScreenModel,
  SCREEN_CLASSES,
  SCREEN_CONDITIONS,
  ZWatchScreenWeightsSchema,
  type TScreenClass,
  type TScreenCondition,
  type TScreenModel,
  type TWatchScreenWeights,
} from "./screen-model";
export {
  WATCH_SCREEN_MANIFEST_FILE,
  WATCH_SCREEN_WEIGHTS_FILE,
  ZWatchScreenManifestSchema,
  type TWatchScreenManifest,
} from "./watch-screen-manifest";
