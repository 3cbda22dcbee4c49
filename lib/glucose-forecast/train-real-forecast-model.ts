// Server-only (reads the data directory). Fits the linear forecast on real CGM traces: the glucose
// terms on the training subjects, the ridge strength (and whether 15-min devices help) chosen on the
// validation subjects, the test subjects left for eval:glucose. The meal, insulin and exercise terms
// cannot be learned from the real traces (they carry no logs) and are fitted on the simulator instead,
// on what the real-data model leaves unexplained there.
import { listCgmSubjects, readCgmCsv, type TCgmSubject } from "../datasets/read-cgm-csv";
import { createForecastExamples } from "./create-forecast-examples";
import { createRealForecastExamples, getMedianReadingIntervalMin } from "./create-real-forecast-examples";
import { addErrorSums, concatForecastTables, createErrorSums, createForecastTable, scoreForecastTable, toForecastMetrics, type TForecastErrorSums, type TForecastTable } from "./evaluate-forecasts";
import { FEATURE_COUNT, FEATURE_NAMES, FORECAST_HORIZON_MIN } from "./features";
import { fitLeastSquaresMatrix } from "./fit-least-squares";
import { getCgmSplit, type TCgmSplit } from "./get-cgm-split";
import type { TForecastWeights } from "./linear-model";
import { TRAINING_DATA } from "./train-forecast-model";

export type TCgmCohortSubject = TCgmSubject & {
  split: TCgmSplit;
  readings: number;
  days: number;
  /** 5 for 5-min devices; 15 (or a mix of scans and 15-min history) for FreeStyle Libre's stored history. */
  readingIntervalMin: number;
  droppedDuplicates: number;
  clipped: number;
  table: TForecastTable;
};

/** Subjects whose median interval is above this are "15-min" devices in the model card's breakdown. */
export const FIVE_MIN_DEVICE_MAX_INTERVAL_MIN = 7;
export const RIDGE_CANDIDATES = [0, 1e-4, 1e-3, 1e-2, 1e-1, 1] as const;
const EVENT_FEATURES_FROM = FEATURE_NAMES.indexOf("carbs0to20MinMgDl");
const EVENT_RIDGE = 1e-3;

export function getIntervalClass(subject: { readingIntervalMin: number }): "5-min" | "15-min" {
  return subject.readingIntervalMin <= FIVE_MIN_DEVICE_MAX_INTERVAL_MIN ? "5-min" : "15-min";
}

/** Reads every subject under the cgm-open folder that `include` keeps, and computes its examples once. */
export function loadCgmCohort(options: { cgmDir: string; include?: (subject: TCgmSubject & { split: TCgmSplit }) => boolean; onProgress?: (message: string) => void }): TCgmCohortSubject[] {
  const subjects = listCgmSubjects(options.cgmDir).map((subject) => ({ ...subject, split: getCgmSplit(subject.subjectId) }));
  const kept = options.include ? subjects.filter(options.include) : subjects;
  const cohort: TCgmCohortSubject[] = [];
  kept.forEach((subject, index) => {
    const series = readCgmCsv(subject.file);
    const table = createForecastTable(createRealForecastExamples({ readings: series.readings }));
    const first = series.readings[0]?.measuredAtMs ?? 0;
    const last = series.readings[series.readings.length - 1]?.measuredAtMs ?? 0;
    cohort.push({
      ...subject,
      readings: series.readings.length,
      days: (last - first) / 86_400_000,
      readingIntervalMin: getMedianReadingIntervalMin(series.readings),
      droppedDuplicates: series.droppedDuplicates,
      clipped: series.clipped,
      table,
    });
    if ((index + 1) % 20 === 0 || index + 1 === kept.length) options.onProgress?.(`read ${index + 1}/${kept.length} subjects`);
  });
  return cohort;
}

export function scoreCohort(options: { weights: TForecastWeights; subjects: readonly TCgmCohortSubject[] }): TForecastErrorSums {
  return options.subjects.reduce((sums, subject) => addErrorSums(sums, scoreForecastTable({ weights: options.weights, table: subject.table })), createErrorSums());
}

/** Metrics per group (dataset, device interval, diabetes type ...) of the subjects given. */
export function scoreCohortBy(options: { weights: TForecastWeights; subjects: readonly TCgmCohortSubject[]; key: (subject: TCgmCohortSubject) => string }) {
  const groups = new Map<string, TCgmCohortSubject[]>();
  for (const subject of options.subjects) groups.set(options.key(subject), [...(groups.get(options.key(subject)) ?? []), subject]);
  return Object.fromEntries(
    [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, subjects]) => [group, { subjects: subjects.length, ...toForecastMetrics(scoreCohort({ weights: options.weights, subjects })) }]),
  );
}

export type TModelSelection = {
  ridge: number;
  trainingDevices: "all" | "5-min";
  candidates: { ridge: number; trainingDevices: "all" | "5-min"; validationRmseMgDl: number }[];
};

function toWeights(version: string, weights: readonly number[], bias: number): TForecastWeights {
  return { model: "glucose-forecast-linear", version, horizonMin: FORECAST_HORIZON_MIN, featureNames: [...FEATURE_NAMES], weights: [...weights], biasMgDl: bias };
}

/**
 * Fits on the training subjects, selects on the validation subjects only (the test subjects are not
 * passed in), then adds the event terms fitted on simulated patients.
 */
export function fitRealForecastWeights(options: { train: readonly TCgmCohortSubject[]; validation: readonly TCgmCohortSubject[]; version: string; onProgress?: (message: string) => void }): { weights: TForecastWeights; selection: TModelSelection } {
  const candidates: (TModelSelection["candidates"][number] & { weights: TForecastWeights })[] = [];
  // 15-min devices reach the model through interpolation (align-readings), so their 5-min deltas are
  // thirds of 15-min ones; whether training on them helps the whole validation cohort is measured, not assumed.
  for (const trainingDevices of ["all", "5-min"] as const) {
    const subjects = options.train.filter((subject) => trainingDevices === "all" || getIntervalClass(subject) === "5-min");
    const table = concatForecastTables(subjects.map((subject) => subject.table));
    const fits = fitLeastSquaresMatrix({ matrix: table.features, width: FEATURE_COUNT, targets: table.targets, ridges: RIDGE_CANDIDATES });
    for (const fit of fits) {
      const weights = toWeights(options.version, fit.weights, fit.bias);
      const validationRmseMgDl = toForecastMetrics(scoreCohort({ weights, subjects: options.validation })).rmseModelMgDl;
      candidates.push({ ridge: fit.ridge, trainingDevices, validationRmseMgDl, weights });
      options.onProgress?.(`  devices ${trainingDevices.padEnd(5)} ridge ${String(fit.ridge).padEnd(6)} validation RMSE ${validationRmseMgDl.toFixed(3)} mg/dL`);
    }
  }
  const best = candidates.reduce((a, b) => (b.validationRmseMgDl < a.validationRmseMgDl ? b : a));
  const weights = addSimulatedEventTerms(best.weights);
  return {
    weights,
    selection: {
      ridge: best.ridge,
      trainingDevices: best.trainingDevices,
      candidates: candidates.map(({ ridge, trainingDevices, validationRmseMgDl }) => ({ ridge, trainingDevices, validationRmseMgDl: Number(validationRmseMgDl.toFixed(3)) })),
    },
  };
}

/**
 * The meal, insulin and exercise weights, fitted on simulated training patients to the residual of the
 * real-data glucose terms (its own intercept absorbs the simulator's offset and is dropped). Without
 * them the product would ignore the meals and doses a patient enters.
 */
function addSimulatedEventTerms(glucoseOnly: TForecastWeights): TForecastWeights {
  const table = createForecastTable(createForecastExamples(TRAINING_DATA));
  const eventWidth = FEATURE_COUNT - EVENT_FEATURES_FROM;
  const events = new Float64Array(table.count * eventWidth);
  const residuals = new Float64Array(table.count);
  for (let row = 0; row < table.count; row += 1) {
    let predicted = glucoseOnly.biasMgDl;
    for (let j = 0; j < EVENT_FEATURES_FROM; j += 1) predicted += (glucoseOnly.weights[j] as number) * (table.features[row * FEATURE_COUNT + j] as number);
    residuals[row] = (table.targets[row] as number) - predicted;
    events.set(table.features.subarray(row * FEATURE_COUNT + EVENT_FEATURES_FROM, (row + 1) * FEATURE_COUNT), row * eventWidth);
  }
  const [fit] = fitLeastSquaresMatrix({ matrix: events, width: eventWidth, targets: residuals, ridges: [EVENT_RIDGE] });
  const eventWeights = (fit as { weights: number[] }).weights;
  return { ...glucoseOnly, weights: glucoseOnly.weights.map((weight, j) => (j < EVENT_FEATURES_FROM ? weight : (eventWeights[j - EVENT_FEATURES_FROM] as number))) };
}
