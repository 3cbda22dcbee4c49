// Trains the 30-minute glucose forecast on simulated patients and writes the committed model:
//   npm run train:glucose
// public/models/glucose-forecast/weights.json and manifest.json (sha256 of the weights, training set,
// metrics on held-out patients). Deterministic: the same code gives the same bytes except createdAt.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { evaluateForecasts } from "../lib/glucose-forecast/evaluate-forecasts";
import { FORECAST_MODEL_DIR, MANIFEST_FILE, sha256Hex, WEIGHTS_FILE, type TForecastManifest } from "../lib/glucose-forecast/model-files";
import { createHeldOutExamples, createTrainingExamples, fitForecastWeights, HELD_OUT_DATA, TRAINING_DATA } from "../lib/glucose-forecast/train-forecast-model";

const VERSION = "1.0.0";
const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const roundMetrics = <T extends Record<string, number>>(metrics: T): T =>
  Object.fromEntries(Object.entries(metrics).map(([key, value]) => [key, key === "examples" ? value : round(value)])) as T;

const startedAt = performance.now();
console.log(`simulating ${TRAINING_DATA.patients} training patients x ${TRAINING_DATA.days} days ...`);
const train = createTrainingExamples();
console.log(`simulating ${HELD_OUT_DATA.patients} held-out patients x ${HELD_OUT_DATA.days} days ...`);
const heldOut = createHeldOutExamples();
console.log(`fitting on ${train.length} examples ...`);
const weights = fitForecastWeights({ examples: train, version: VERSION });
const metrics = { train: roundMetrics(evaluateForecasts({ weights, examples: train })), heldOut: roundMetrics(evaluateForecasts({ weights, examples: heldOut })) };

const weightsText = `${JSON.stringify(weights, null, 2)}\n`;
const manifest: TForecastManifest = {
  model: "glucose-forecast-linear",
  version: VERSION,
  createdAt: new Date().toISOString(),
  horizonMin: weights.horizonMin,
  files: { weights: { path: WEIGHTS_FILE, sha256: sha256Hex(weightsText), bytes: Buffer.byteLength(weightsText) } },
  training: {
    method: "ordinary least squares (ridge 1e-3 on standardized features), split by patient",
    trainPatients: TRAINING_DATA.patients,
    heldOutPatients: HELD_OUT_DATA.patients,
    daysPerPatient: TRAINING_DATA.days,
    trainSeedPrefix: TRAINING_DATA.seedPrefix,
    heldOutSeedPrefix: HELD_OUT_DATA.seedPrefix,
  },
  metrics,
};
writeFileSync(path.join(FORECAST_MODEL_DIR, WEIGHTS_FILE), weightsText);
writeFileSync(path.join(FORECAST_MODEL_DIR, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`held out: model ${metrics.heldOut.rmseModelMgDl} mg/dL, last value ${metrics.heldOut.rmseLastValueMgDl}, AR2 ${metrics.heldOut.rmseAr2MgDl}`);
console.log(`wrote ${path.relative(process.cwd(), FORECAST_MODEL_DIR)}/{${WEIGHTS_FILE},${MANIFEST_FILE}} in ${Math.round(performance.now() - startedAt)} ms`);
