// Trains the 30-minute glucose forecast on real CGM traces and writes the committed model:
//   npm run train:glucose [-- --data DIR]
// DIR (default PULSEGUARD_DATA_DIR) holds cgm-open.zip or its extracted cgm-open/ folder. Subjects are
// split by a hash of their id (lib/glucose-forecast/get-cgm-split.ts): the glucose terms are fitted on
// train, the ridge strength chosen on validation, and the test subjects only reported (eval:glucose
// judges them). Writes public/models/glucose-forecast/weights.json and manifest.json, a model card:
// data, splits, selection, metrics per split and per group, known limits. Deterministic: the same data
// and code give the same weights.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { getConfig } from "../lib/config";
import { DATASETS, isDatasetFormatError, locateDatasetOrThrow, resolveDataDir } from "../lib/datasets";
import { FETCHED_HISTORY_MIN, GAP_MIN, MIN_EXAMPLE_SPACING_MIN, NEW_SENSOR_GAP_MIN, SENSOR_WARM_UP_MIN } from "../lib/glucose-forecast/create-real-forecast-examples";
import { createForecastExamples } from "../lib/glucose-forecast/create-forecast-examples";
import { evaluateForecasts, toForecastMetrics, type TForecastMetrics } from "../lib/glucose-forecast/evaluate-forecasts";
import { CGM_SPLIT_SEED, CGM_SPLITS, type TCgmSplit } from "../lib/glucose-forecast/get-cgm-split";
import { FORECAST_MODEL_DIR, MANIFEST_FILE, sha256Hex, WEIGHTS_FILE, type TForecastManifest } from "../lib/glucose-forecast/model-files";
import { HELD_OUT_DATA } from "../lib/glucose-forecast/train-forecast-model";
import { fitRealForecastWeights, getIntervalClass, loadCgmCohort, scoreCohort, scoreCohortBy, type TCgmCohortSubject } from "../lib/glucose-forecast/train-real-forecast-model";

const VERSION = "2.0.0";

const { values } = parseArgs({ options: { data: { type: "string" } } });
const dataDir = resolveDataDir(values.data, getConfig().PULSEGUARD_DATA_DIR);
if (!dataDir) {
  console.error(
    `train:glucose needs real CGM data: pass --data DIR or set PULSEGUARD_DATA_DIR to a folder holding ${DATASETS.cgm.archive} (or its extracted ${DATASETS.cgm.folder}/): ` +
      "the Glucose-ML standardised extraction of the open CGM datasets (Bris-T1D Open, T1D-UOM, AZT1D, PhysioCGM, HUPA-UCM, Hall 2018, BIG IDEAs); the README says where to download it.",
  );
  process.exit(2);
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const roundMetrics = <T extends Record<string, number>>(metrics: T): T =>
  Object.fromEntries(Object.entries(metrics).map(([key, value]) => [key, key === "examples" || key === "subjects" ? value : round(value)])) as T;
const roundGroups = <T extends Record<string, TForecastMetrics & { subjects: number }>>(groups: T): T =>
  Object.fromEntries(Object.entries(groups).map(([key, value]) => [key, roundMetrics(value)])) as T;

const startedAt = performance.now();
let cgmDir: string;
try {
  cgmDir = locateDatasetOrThrow({ dataDir, dataset: "cgm" });
} catch (error) {
  if (isDatasetFormatError(error)) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
console.log(`reading CGM traces from ${cgmDir} ...`);
// Every subject is read so the model card can count the test split, but test examples feed nothing
// below except the reported metrics.
const cohort = loadCgmCohort({ cgmDir, onProgress: (message) => console.log(`  ${message}`) });
const bySplit = Object.fromEntries(CGM_SPLITS.map((split) => [split, cohort.filter((subject) => subject.split === split)])) as Record<TCgmSplit, TCgmCohortSubject[]>;
const countExamples = (subjects: readonly TCgmCohortSubject[]) => subjects.reduce((sum, subject) => sum + subject.table.count, 0);
for (const split of CGM_SPLITS) console.log(`  ${split.padEnd(10)} ${String(bySplit[split].length).padStart(3)} subjects, ${countExamples(bySplit[split])} examples`);

console.log("fitting on train, choosing on validation ...");
const { weights, selection } = fitRealForecastWeights({ train: bySplit.train, validation: bySplit.validation, version: VERSION, onProgress: console.log });
console.log(`chose ridge ${selection.ridge}, training devices ${selection.trainingDevices}`);

const metrics = {
  train: roundMetrics(toForecastMetrics(scoreCohort({ weights, subjects: bySplit.train }))),
  validation: roundMetrics(toForecastMetrics(scoreCohort({ weights, subjects: bySplit.validation }))),
  heldOut: roundMetrics(toForecastMetrics(scoreCohort({ weights, subjects: bySplit.test }))),
  // The meal and insulin terms are only exercised where there are meals and doses: the simulator.
  simulatedHeldOut: roundMetrics(evaluateForecasts({ weights, examples: createForecastExamples(HELD_OUT_DATA) })),
};
const heldOutBreakdown = {
  byDataset: roundGroups(scoreCohortBy({ weights, subjects: bySplit.test, key: (subject) => subject.dataset })),
  byReadingInterval: roundGroups(scoreCohortBy({ weights, subjects: bySplit.test, key: getIntervalClass })),
  byDiabetesType: roundGroups(scoreCohortBy({ weights, subjects: bySplit.test, key: (subject) => subject.diabetesType ?? "unknown" })),
};

const countBy = (subjects: readonly TCgmCohortSubject[], key: (subject: TCgmCohortSubject) => string) =>
  subjects.reduce<Record<string, number>>((counts, subject) => ({ ...counts, [key(subject)]: (counts[key(subject)] ?? 0) + 1 }), {});
const splitCounts = (subjects: readonly TCgmCohortSubject[], measure: (subjects: readonly TCgmCohortSubject[]) => number) =>
  Object.fromEntries(CGM_SPLITS.map((split) => [split, measure(subjects.filter((subject) => subject.split === split))])) as Record<TCgmSplit, number>;
const datasets = [...new Set(cohort.map((subject) => subject.dataset))].map((dataset) => {
  const subjects = cohort.filter((subject) => subject.dataset === dataset);
  return {
    dataset,
    subjects: splitCounts(subjects, (inSplit) => inSplit.length),
    examples: splitCounts(subjects, countExamples),
    readingIntervals: countBy(subjects, getIntervalClass),
    diabetesTypes: countBy(subjects, (subject) => subject.diabetesType ?? "unknown"),
    devices: [...new Set(subjects.map((subject) => subject.cgmDevice ?? "unknown"))].sort(),
  };
});

const weightsText = `${JSON.stringify(weights, null, 2)}\n`;
const manifest: TForecastManifest = {
  model: "glucose-forecast-linear",
  version: VERSION,
  createdAt: new Date().toISOString(),
  horizonMin: weights.horizonMin,
  files: { weights: { path: WEIGHTS_FILE, sha256: sha256Hex(weightsText), bytes: Buffer.byteLength(weightsText) } },
  training: {
    data: "real",
    method: `least squares on standardized features (ridge ${selection.ridge}, chosen on validation), split by subject`,
    source: `${DATASETS.cgm.archive}: ${DATASETS.cgm.title}, timestamp,glucose_value_mg_dl per subject`,
    splitRule: `sha256("${CGM_SPLIT_SEED}:<dataset>/<file stem>"): first 32 bits / 2^32 < 0.6 train, < 0.8 validation, else test`,
    trainPatients: bySplit.train.length,
    validationPatients: bySplit.validation.length,
    heldOutPatients: bySplit.test.length,
    examples: splitCounts(cohort, countExamples),
    exampleRules: {
      readings: "sorted, first of duplicate timestamps kept, clipped to 40..400 mg/dL (Low/High as 40/400), below 20 mg/dL dropped",
      inputs: `the readings of the last ${FETCHED_HISTORY_MIN} min aligned to the 5-min grid by the product's alignReadingsToGrid (gaps up to 15 min interpolated; 15-min devices so too)`,
      target: "the real reading within 2.5 min of now + 30 min, never interpolated",
      gapMin: GAP_MIN,
      newSensorGapMin: NEW_SENSOR_GAP_MIN,
      sensorWarmUpSkippedMin: SENSOR_WARM_UP_MIN,
      minExampleSpacingMin: MIN_EXAMPLE_SPACING_MIN,
    },
    datasets,
    selection,
    eventTerms: "meal, insulin and exercise weights fitted on simulated training patients to the residual of the real-data glucose terms (the real traces have no logs)",
  },
  metrics,
  heldOutBreakdown,
  card: {
    intendedUse:
      "A 30-minute glucose forecast from the last hour of CGM readings (plus logged meals, insulin and exercise), evaluated by the server on the patient's encrypted features; shown to the patient as an estimate, never used to dose insulin.",
    trainingData: datasets.map((entry) => ({ dataset: entry.dataset, subjects: entry.subjects.train, labels: "CGM readings 30 min ahead" })),
    split: `By subject: ${bySplit.train.length} train, ${bySplit.validation.length} validation (ridge and device choice), ${bySplit.test.length} test. ${`sha256("${CGM_SPLIT_SEED}:<dataset>/<file stem>")`}: < 0.6 train, < 0.8 validation, else test.`,
    knownLimits: [
    "Glucose terms learned from adults and adolescents with type 1 diabetes (most examples), plus type 2, prediabetes and no diabetes (Hall 2018, BIG IDEAs): not validated for children, pregnancy or hospital inpatients.",
    "Devices: Dexcom G4/G6 and FreeStyle Libre 2 (5-min and 15-min history); other sensors, and Libre scans mixed with history, may behave differently.",
    "The meal, insulin and exercise terms are learned on the simulator only; on real people their effect is unvalidated (metrics.heldOut has no logged events).",
    "30-min RMSE is pooled over examples, so long recordings (Bris-T1D Open, T1D-UOM: months) weigh more than short ones (Hall 2018, BIG IDEAs: about 10 days).",
    "Timestamps are local wall-clock time without zone; the forecast uses no time of day, and daylight-saving jumps count as gaps.",
    ],
  },
};
writeFileSync(path.join(FORECAST_MODEL_DIR, WEIGHTS_FILE), weightsText);
writeFileSync(path.join(FORECAST_MODEL_DIR, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
for (const split of ["train", "validation", "heldOut", "simulatedHeldOut"] as const) {
  const m = metrics[split];
  console.log(`${split.padEnd(16)} model ${m.rmseModelMgDl} mg/dL, last value ${m.rmseLastValueMgDl}, AR2 ${m.rmseAr2MgDl} (${(100 * m.improvementOverAr2).toFixed(1)} % below AR2)`);
}
console.log(`wrote ${path.relative(process.cwd(), FORECAST_MODEL_DIR)}/{${WEIGHTS_FILE},${MANIFEST_FILE}} in ${Math.round(performance.now() - startedAt)} ms`);
