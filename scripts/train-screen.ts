// Trains tier 1, the watch screen (lib/detect/screen), on a simulated cohort and writes
// public/models/watch-screen/{weights.json, manifest.json}. Seeded: the same run gives the same file.
//
//   npm run train:screen [-- --patients 60 --days 2 --epochs 12 --seed watch-screen-v1] [--data DIR --real-repeat 10]
//
// Data: random scenarios with more episodes than the evaluation cohort (4 clinical and 6 benign per
// patient-day), so the rare classes have examples. Every second of every stream gives one window;
// windows are subsampled (all clinical seconds at stride 2, benign look-alikes and the 30 min after
// exercise at stride 3, ordinary time at stride 20) and the first 10 s of an episode (its onset) and
// the 2 min after a clinical episode (its offset) are left out as ambiguous. One patient in five is
// held out for validation; the thresholds written into the manifest are chosen on those patients.
//
// The thresholds are chosen on the validation patients as the screen runs, i.e. after the clinical
// gates of lib/detect/screen/gate-condition-scores.ts. 1.1.0 has the same weights as 1.0.0 (same seed,
// same features) and is the first screen with the gates: on the simulated validation patients they cost
// 1.0.0's 0.95 two of 96 episodes that it had caught incidentally (an ectopy score during a bradycardia
// near a sleeping baseline, a tachycardia that began during warm-up), so the sweep now picks 0.925.
//
// Real heart rate, opt-in with --data DIR (not read from PULSEGUARD_DATA_DIR, so that a plain run still
// reproduces the committed weights byte for byte): the simulator's sinus rhythm at rest is steadier than
// real hearts, and the 1.0.0 screen flags ordinary sinus variability on MIT-BIH several times an hour
// (npm run eval:screen). With --data, the tuning half of MIT-BIH's patients (lib/detect/screen/
// mitdb-screen-split.ts; never the test half) adds its 1 Hz series, derived from the reference beats as
// eval:screen derives them: sinus seconds ("(N", except 60 s after another rhythm) as "none", AF seconds
// ("(AFIB", after its first 10 s) as "afib"; other rhythms are left out; each record is replayed once
// first, as eval:screen warms up. Not adopted yet: with --real-repeat 1, 3 and 10 the tuning patients
// passed both targets but the test patients did not (AF episodes 5/6, 4/6, 2/6; 1.9-2.8 false flags
// per sinus hour), and the simulated escalation sensitivity fell from 1.0 to 0.99. Four AF patients
// are too few to learn AF from; see the manifest's realData for the figures of the committed screen.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  createScreenFeatureExtractor,
  createScreenModel,
  createWatchScreen,
  SCREEN_CLASSES,
  SCREEN_FEATURE_COUNT,
  SCREEN_FEATURE_NAMES,
  type TWatchScreenWeights,
} from "../lib/detect/screen";
import { listMitdbRecords, locateDatasetOrThrow, readMitdbRecord } from "../lib/datasets";
import { deriveHeartRateSeries } from "../lib/detect/screen/derive-heart-rate-series";
import { sha256Hex } from "../lib/detect/screen/load-watch-screen-model";
import { isMitdbScreenTestPatient, MITDB_SCREEN_SPLIT_SEED } from "../lib/detect/screen/mitdb-screen-split";
import { WATCH_SCREEN_MANIFEST_FILE, WATCH_SCREEN_WEIGHTS_FILE, type TWatchScreenManifest } from "../lib/detect/screen/watch-screen-manifest";
import { isClinicalEpisode } from "../lib/sim/episodes";
import { createRng } from "../lib/sim/rng";
import { createRandomScenario } from "../lib/sim/scenario";
import { clinicalEpisodesOf, findGateFirings, runScreenOverSeries, simulatePatient, type TSimulatedPatient } from "../bench/lib/eval-cohort";
import { formatTable, round } from "../bench/lib/stats";

const { values: args } = parseArgs({
  options: {
    patients: { type: "string", default: "60" },
    days: { type: "string", default: "2" },
    epochs: { type: "string", default: "12" },
    hidden: { type: "string", default: "16" },
    seed: { type: "string", default: "watch-screen-v1" },
    out: { type: "string", default: path.join("public", "models", "watch-screen") },
    data: { type: "string" },
    "real-repeat": { type: "string", default: "10" },
  },
});
const PATIENTS = Number(args.patients);
const DAYS = Number(args.days);
const EPOCHS = Number(args.epochs);
const HIDDEN = Number(args.hidden);
const SEED = args.seed!;
const OUT_DIR = args.out!;
const SECONDS = DAYS * 86_400;
// 1.1.0 is the committed screen (simulation only, with the clinical gates); a run with --data writes 1.2.0.
const VERSION = args.data ? "1.2.0" : "1.1.0";
// Each real window is added this many times (at stride 1): ~5 h of sinus rhythm and ~1.5 h of AF from
// the tuning patients would otherwise weigh little beside ~800,000 simulated windows.
const REAL_REPEAT = Number(args["real-repeat"]);

// Operating points, on the validation patients (see chooseThresholds).
const PERSISTENCE_HITS = 5;
const ESCALATION_TARGET_SENSITIVITY = 0.98;
const ALERT_TARGET_SENSITIVITY = 0.95;
const REFUTE_PAUSE_S = 180;
const ALERT_PAUSE_S = 600;

const startedAt = performance.now();
const print = (line = "") => process.stdout.write(`${line}\n`);
const step = (line: string) => print(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${line}`);

// ---- data ------------------------------------------------------------------------------------------
const CLASS_INDEX = new Map<string, number>(SCREEN_CLASSES.map((name, index) => [name, index]));
const ONSET_SKIP_S = 10;
const OFFSET_SKIP_S = 120;
const RECOVERY_S = 1800;

function createSampleStore() {
  let capacity = 1 << 18;
  let features = new Float32Array(capacity * SCREEN_FEATURE_COUNT);
  let labels = new Uint8Array(capacity);
  let count = 0;
  return {
    add(vector: Float64Array, label: number) {
      if (count === capacity) {
        capacity *= 2;
        const grownFeatures = new Float32Array(capacity * SCREEN_FEATURE_COUNT);
        grownFeatures.set(features);
        features = grownFeatures;
        const grownLabels = new Uint8Array(capacity);
        grownLabels.set(labels);
        labels = grownLabels;
      }
      features.set(vector, count * SCREEN_FEATURE_COUNT);
      labels[count] = label;
      count += 1;
    },
    view: () => ({ features: features.subarray(0, count * SCREEN_FEATURE_COUNT), labels: labels.subarray(0, count), count }),
  };
}

function collectWindows(simulated: TSimulatedPatient, store: ReturnType<typeof createSampleStore>) {
  const { bpm, activity, truth } = simulated.series;
  const extractor = createScreenFeatureExtractor({ ageYears: simulated.ageYears });
  const episodes = [...simulated.patient.episodes].sort((a, b) => a.startS - b.startS);
  let episodeIndex = 0;
  let lastClinicalEndS = -Infinity;
  let lastExerciseEndS = -Infinity;
  for (let second = 0; second < simulated.seconds; second += 1) {
    const features = extractor.push({ bpm: bpm[second]!, activity: activity[second]!, atMs: second * 1000 });
    while (episodeIndex < episodes.length && episodes[episodeIndex]!.startS + episodes[episodeIndex]!.durationS <= second) {
      const ended = episodes[episodeIndex]!;
      const endS = ended.startS + ended.durationS;
      if (isClinicalEpisode(ended.type)) lastClinicalEndS = endS;
      if (ended.type === "workout" || ended.type === "stairs") lastExerciseEndS = endS;
      episodeIndex += 1;
    }
    if (!features) continue;
    const type = truth[second];
    const current = episodes[episodeIndex];
    if (type && isClinicalEpisode(type)) {
      if (second - current!.startS < ONSET_SKIP_S || second % 2 !== 0) continue;
      store.add(features, CLASS_INDEX.get(type)!);
      continue;
    }
    if (second - lastClinicalEndS < OFFSET_SKIP_S) continue;
    const isHardNegative = type !== null || second - lastExerciseEndS < RECOVERY_S;
    if (second % (isHardNegative ? 3 : 20) !== 0) continue;
    store.add(features, 0);
  }
}

const REAL_SETTLE_S = 60;

/** The tuning patients' MIT-BIH series into the store; returns the records and seconds used per label. */
async function collectRealWindows(store: ReturnType<typeof createSampleStore>): Promise<{ records: string[]; noneSeconds: number; afibSeconds: number } | null> {
  if (!args.data) return null;
  const dataDir = path.resolve(args.data);
  const datasetDir = locateDatasetOrThrow({ dataDir, dataset: "mitdb" });
  const used = { records: [] as string[], noneSeconds: 0, afibSeconds: 0 };
  for (const name of listMitdbRecords(datasetDir)) {
    const record = await readMitdbRecord({ datasetDir, record: name });
    if (isMitdbScreenTestPatient(record.patient)) continue;
    used.records.push(name);
    const bpm = deriveHeartRateSeries({ beatTimesS: record.beats.map((beat) => beat.sample / record.sampleRateHz), durationS: record.ecgMv.length / record.sampleRateHz });
    const label = new Int8Array(bpm.length).fill(-1);
    for (const span of record.rhythms) {
      const startS = Math.ceil(span.startSample / record.sampleRateHz);
      const endS = Math.min(bpm.length, Math.floor(span.endSample / record.sampleRateHz));
      if (span.rhythm === "N") for (let second = startS; second < endS; second += 1) label[second] = 0;
      if (span.rhythm === "AFIB") for (let second = startS + ONSET_SKIP_S; second < endS; second += 1) label[second] = CLASS_INDEX.get("afib")!;
    }
    for (const span of record.rhythms) {
      if (span.rhythm === "N") continue;
      const endS = Math.floor(span.endSample / record.sampleRateHz);
      for (let second = endS; second < Math.min(bpm.length, endS + REAL_SETTLE_S); second += 1) if (label[second] === 0) label[second] = -1;
    }
    const extractor = createScreenFeatureExtractor();
    for (let second = 0; second < bpm.length; second += 1) extractor.observe({ bpm: bpm[second]!, activity: 0, atMs: (second - bpm.length - 60) * 1000 });
    for (let second = 0; second < 60; second += 1) extractor.observe({ bpm: 0, activity: 0, atMs: (second - 60) * 1000 });
    for (let second = 0; second < bpm.length; second += 1) {
      const features = extractor.push({ bpm: bpm[second]!, activity: 0, atMs: second * 1000 });
      if (!features || label[second]! < 0) continue;
      for (let repeat = 0; repeat < REAL_REPEAT; repeat += 1) store.add(features, label[second]!);
      if (label[second] === 0) used.noneSeconds += 1;
      else used.afibSeconds += 1;
    }
  }
  return used;
}

// ---- model -----------------------------------------------------------------------------------------
type TParams = { w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array };

function train(options: { features: Float32Array; labels: Uint8Array; count: number; mean: Float64Array; scale: Float64Array }): TParams {
  const { features, labels, count, mean, scale } = options;
  const F = SCREEN_FEATURE_COUNT;
  const H = HIDDEN;
  const K = SCREEN_CLASSES.length;
  const rng = createRng(`${SEED}/init`);
  const params: TParams = {
    w1: Float64Array.from({ length: H * F }, () => rng.normal(0, Math.sqrt(1 / F))),
    b1: new Float64Array(H),
    w2: Float64Array.from({ length: K * H }, () => rng.normal(0, Math.sqrt(1 / H))),
    b2: new Float64Array(K),
  };
  const all = [params.w1, params.b1, params.w2, params.b2];
  const grads = all.map((p) => new Float64Array(p.length));
  const m1 = all.map((p) => new Float64Array(p.length));
  const m2 = all.map((p) => new Float64Array(p.length));
  // Class weights ~ 1/sqrt(frequency): the rare clinical classes count more without drowning "none".
  const classCounts = new Float64Array(K);
  for (let index = 0; index < count; index += 1) classCounts[labels[index]!]! += 1;
  const classWeight = Float64Array.from(classCounts, (n) => (n > 0 ? Math.sqrt(count / (K * n)) : 0));
  step(`  class counts ${SCREEN_CLASSES.map((name, k) => `${name} ${classCounts[k]}`).join(", ")}`);

  const x = new Float64Array(F);
  const hidden = new Float64Array(H);
  const probabilities = new Float64Array(K);
  const deltaHidden = new Float64Array(H);
  const order = Uint32Array.from({ length: count }, (_, index) => index);
  const BATCH = 256;
  const LR = 0.004;
  const BETA1 = 0.9;
  const BETA2 = 0.999;
  const L2 = 1e-5;
  let t = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch += 1) {
    for (let index = count - 1; index > 0; index -= 1) {
      const swap = rng.int(0, index);
      const tmp = order[index]!;
      order[index] = order[swap]!;
      order[swap] = tmp;
    }
    // Cosine decay of the learning rate over the epochs.
    const lr = LR * 0.5 * (1 + Math.cos((Math.PI * epoch) / EPOCHS)) + 1e-4;
    let lossSum = 0;
    let weightSum = 0;
    for (let start = 0; start < count; start += BATCH) {
      const end = Math.min(count, start + BATCH);
      for (const g of grads) g.fill(0);
      let batchWeight = 0;
      for (let position = start; position < end; position += 1) {
        const sample = order[position]!;
        const label = labels[sample]!;
        const weight = classWeight[label]!;
        for (let f = 0; f < F; f += 1) x[f] = (features[sample * F + f]! - mean[f]!) / scale[f]!;
        for (let h = 0; h < H; h += 1) {
          let sum = params.b1[h]!;
          for (let f = 0; f < F; f += 1) sum += params.w1[h * F + f]! * x[f]!;
          hidden[h] = Math.tanh(sum);
        }
        let maxLogit = -Infinity;
        for (let k = 0; k < K; k += 1) {
          let sum = params.b2[k]!;
          for (let h = 0; h < H; h += 1) sum += params.w2[k * H + h]! * hidden[h]!;
          probabilities[k] = sum;
          maxLogit = Math.max(maxLogit, sum);
        }
        let total = 0;
        for (let k = 0; k < K; k += 1) {
          probabilities[k] = Math.exp(probabilities[k]! - maxLogit);
          total += probabilities[k]!;
        }
        for (let k = 0; k < K; k += 1) probabilities[k] = probabilities[k]! / total;
        lossSum += -weight * Math.log(Math.max(1e-12, probabilities[label]!));
        weightSum += weight;
        batchWeight += weight;
        deltaHidden.fill(0);
        for (let k = 0; k < K; k += 1) {
          const delta = weight * (probabilities[k]! - (k === label ? 1 : 0));
          grads[3]![k]! += delta;
          for (let h = 0; h < H; h += 1) {
            grads[2]![k * H + h]! += delta * hidden[h]!;
            deltaHidden[h]! += delta * params.w2[k * H + h]!;
          }
        }
        for (let h = 0; h < H; h += 1) {
          const delta = deltaHidden[h]! * (1 - hidden[h]! * hidden[h]!);
          grads[1]![h]! += delta;
          for (let f = 0; f < F; f += 1) grads[0]![h * F + f]! += delta * x[f]!;
        }
      }
      t += 1;
      const correction1 = 1 - BETA1 ** t;
      const correction2 = 1 - BETA2 ** t;
      all.forEach((p, pi) => {
        const g = grads[pi]!;
        const a = m1[pi]!;
        const b = m2[pi]!;
        for (let index = 0; index < p.length; index += 1) {
          const gradient = g[index]! / batchWeight + (pi % 2 === 0 ? L2 * p[index]! : 0);
          a[index] = BETA1 * a[index]! + (1 - BETA1) * gradient;
          b[index] = BETA2 * b[index]! + (1 - BETA2) * gradient * gradient;
          p[index] = p[index]! - (lr * (a[index]! / correction1)) / (Math.sqrt(b[index]! / correction2) + 1e-8);
        }
      });
    }
    step(`  epoch ${epoch + 1}/${EPOCHS}  weighted loss ${(lossSum / weightSum).toFixed(4)}  lr ${lr.toFixed(5)}`);
  }
  return params;
}

const significant = (value: number) => Number(value.toPrecision(5));

function toWeights(params: TParams, mean: Float64Array, scale: Float64Array): TWatchScreenWeights {
  return {
    format: "pulseguard-watch-screen-mlp/1",
    featureNames: [...SCREEN_FEATURE_NAMES],
    classes: [...SCREEN_CLASSES],
    featureMean: Array.from(mean, significant),
    featureScale: Array.from(scale, significant),
    hiddenUnits: HIDDEN,
    hiddenWeights: Array.from(params.w1, significant),
    hiddenBias: Array.from(params.b1, significant),
    outputWeights: Array.from(params.w2, significant),
    outputBias: Array.from(params.b2, significant),
  };
}

// ---- thresholds on the validation patients ----------------------------------------------------------
type TSweepRow = { threshold: number; sensitivity: number; within50S: number; outsidePerDay: number };

function sweep(options: { traces: { trace: ReturnType<typeof runScreenOverSeries>; simulated: TSimulatedPatient }[]; pauseS: number }): TSweepRow[] {
  const rows: TSweepRow[] = [];
  for (let threshold = 0.05; threshold < 0.99; threshold += 0.025) {
    let episodes = 0;
    let detected = 0;
    let early = 0;
    let outside = 0;
    for (const { trace, simulated } of options.traces) {
      const firings = findGateFirings({ trace, threshold, persistenceHits: PERSISTENCE_HITS, pauseS: options.pauseS });
      const clinical = clinicalEpisodesOf(simulated.patient, simulated.seconds);
      for (const episode of clinical) {
        episodes += 1;
        const first = firings.find((s) => s >= episode.startS && s <= episode.startS + episode.durationS);
        if (first !== undefined) detected += 1;
        if (first !== undefined && first - episode.startS <= 50) early += 1;
      }
      outside += firings.filter((s) => !clinical.some((e) => s >= e.startS && s <= e.startS + e.durationS + 60)).length;
    }
    rows.push({ threshold: round(threshold, 3), sensitivity: detected / episodes, within50S: early / episodes, outsidePerDay: outside / (options.traces.length * DAYS) });
  }
  return rows;
}

async function main() {
  print("PulseGuard watch-screen training");
  print(`  machine  ${os.cpus()[0]?.model.trim()}, ${os.cpus().length} cores, node ${process.version}`);
  print(`  cohort   ${PATIENTS} patients x ${DAYS} days, seed ${SEED}; epochs ${EPOCHS}, hidden ${HIDDEN}`);
  const scenario = createRandomScenario({ seed: SEED, patientCount: PATIENTS, days: DAYS, clinicalEpisodesPerPatientDay: 4, benignEpisodesPerPatientDay: 6 });
  const trainStore = createSampleStore();
  const validationStore = createSampleStore();
  const validationPatients: TSimulatedPatient[] = [];
  scenario.patients.forEach((patient, index) => {
    const simulated = simulatePatient({ scenario, patient, seconds: SECONDS });
    const isValidation = index % 5 === 4;
    collectWindows(simulated, isValidation ? validationStore : trainStore);
    if (isValidation) validationPatients.push(simulated);
    if ((index + 1) % 10 === 0 || index + 1 === PATIENTS) step(`simulated ${index + 1}/${PATIENTS} patients, ${trainStore.view().count} training windows`);
  });

  const real = await collectRealWindows(trainStore);
  if (real) step(`MIT-BIH tuning patients: ${real.records.length} records, ${real.noneSeconds} sinus and ${real.afibSeconds} AF seconds, x${REAL_REPEAT}`);
  else step("no --data: simulated heart rate only");

  const trainSet = trainStore.view();
  const F = SCREEN_FEATURE_COUNT;
  const mean = new Float64Array(F);
  const scale = new Float64Array(F);
  for (let index = 0; index < trainSet.count; index += 1) for (let f = 0; f < F; f += 1) mean[f]! += trainSet.features[index * F + f]!;
  for (let f = 0; f < F; f += 1) mean[f] = mean[f]! / trainSet.count;
  for (let index = 0; index < trainSet.count; index += 1) for (let f = 0; f < F; f += 1) scale[f]! += (trainSet.features[index * F + f]! - mean[f]!) ** 2;
  for (let f = 0; f < F; f += 1) scale[f] = Math.max(1e-6, Math.sqrt(scale[f]! / trainSet.count));

  step(`training on ${trainSet.count} windows`);
  const params = train({ ...trainSet, mean, scale });
  const weights = toWeights(params, mean, scale);

  // Window-level confusion on the held-out patients' windows (same subsampling as training).
  const validationSet = validationStore.view();
  const model = createScreenModel(weights);
  const K = SCREEN_CLASSES.length;
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const out = new Float64Array(K);
  for (let index = 0; index < validationSet.count; index += 1) {
    model.predict(validationSet.features.subarray(index * F, (index + 1) * F), out);
    let best = 0;
    for (let k = 1; k < K; k += 1) if (out[k]! > out[best]!) best = k;
    confusion[validationSet.labels[index]!]![best]! += 1;
  }
  const recall = SCREEN_CLASSES.map((_, k) => confusion[k]![k]! / Math.max(1, confusion[k]!.reduce((a, b) => a + b, 0)));

  step(`scoring ${validationPatients.length} validation patients for the thresholds`);
  const traces = validationPatients.map((simulated) => ({ simulated, trace: runScreenOverSeries({ weights, simulated }) }));
  const escalationRows = sweep({ traces, pauseS: REFUTE_PAUSE_S });
  const alertRows = sweep({ traces, pauseS: ALERT_PAUSE_S });
  // Escalation: the highest threshold that still reaches the target sensitivity (tier 2 removes the
  // false hits, so recall is what matters). Watch-only alerting: the fewest false firings among the
  // thresholds that reach its own target.
  const escalation = [...escalationRows].reverse().find((row) => row.sensitivity >= ESCALATION_TARGET_SENSITIVITY) ?? escalationRows[0]!;
  const alertCandidates = alertRows.filter((row) => row.sensitivity >= ALERT_TARGET_SENSITIVITY);
  const alert = alertCandidates.length
    ? alertCandidates.reduce((best, row) => (row.outsidePerDay < best.outsidePerDay || (row.outsidePerDay === best.outsidePerDay && row.threshold > best.threshold) ? row : best))
    : [...alertRows].sort((a, b) => b.sensitivity - a.sensitivity)[0]!;

  // Device fit: cost per sample of the whole screen (features + model) on one validation stream; the
  // best of three passes, since other processes on a shared machine only ever make it slower.
  const timed = validationPatients[0]!;
  const timedSeconds = Math.min(timed.seconds, 6 * 3600);
  let microsPerSample = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 3; pass += 1) {
    const screen = createWatchScreen({ weights, ageYears: timed.ageYears });
    const timerStart = performance.now();
    for (let second = 0; second < timedSeconds; second += 1) screen.push({ bpm: timed.series.bpm[second]!, activity: timed.series.activity[second]!, atMs: second * 1000 });
    microsPerSample = Math.min(microsPerSample, ((performance.now() - timerStart) * 1000) / timedSeconds);
  }

  const weightsText = `${JSON.stringify(weights)}\n`;
  const weightsBytes = new TextEncoder().encode(weightsText);
  const parameters = HIDDEN * F + HIDDEN + K * HIDDEN + K;
  const manifest: TWatchScreenManifest = {
    name: "watch-screen",
    version: VERSION,
    createdAt: new Date().toISOString(),
    file: WATCH_SCREEN_WEIGHTS_FILE,
    sizeBytes: weightsBytes.byteLength,
    sha256: sha256Hex(weightsBytes),
    features: [...SCREEN_FEATURE_NAMES],
    classes: [...SCREEN_CLASSES],
    thresholds: { escalate: escalation.threshold, alert: alert.threshold, persistenceHits: PERSISTENCE_HITS },
    training: {
      seed: SEED,
      patients: PATIENTS,
      days: DAYS,
      validationPatients: validationPatients.length,
      trainingWindows: trainSet.count,
      validationWindows: validationSet.count,
      epochs: EPOCHS,
      hiddenUnits: HIDDEN,
      optimizer: "Adam, batch 256, lr 0.004 cosine, class weights 1/sqrt(frequency)",
      ...(real
        ? {
            realData: `MIT-BIH Arrhythmia Database, tuning patients (split ${MITDB_SCREEN_SPLIT_SEED}): records ${real.records.join(",")}; 1 Hz rate from reference beats (5 s mean), activity 0`,
            realSinusSeconds: real.noneSeconds,
            realAfSeconds: real.afibSeconds,
            realRepeat: REAL_REPEAT,
          }
        : {}),
    },
    metrics: {
      ...Object.fromEntries(SCREEN_CLASSES.map((name, k) => [`windowRecall_${name}`, round(recall[k]!, 4)])),
      escalateSensitivity: round(escalation.sensitivity, 4),
      escalateWithin50S: round(escalation.within50S, 4),
      escalateOutsideEpisodesPerPatientDay: round(escalation.outsidePerDay, 2),
      alertSensitivity: round(alert.sensitivity, 4),
      alertOutsideEpisodesPerPatientDay: round(alert.outsidePerDay, 2),
      note: "validation patients (1 in 5), episode level; outside = firings not within a clinical episode (+60 s)",
    },
    deviceFit: {
      runtime: "plain TypeScript (lib/detect/screen), no tfjs; Float64Array state",
      parameters,
      weightsBytes: weightsBytes.byteLength,
      multiplyAddsPerSample: parameters,
      // Doubles: the 60 s rings of readings and activity, the sorted 30 s / 10 s / 30 s-difference
      // windows, the feature and standardised vectors, the hidden and output layers, ~16 scalars.
      stateBytes: 8 * (60 + 60 + 30 + 10 + 30 + F * 2 + HIDDEN + K + 16),
      microsPerSampleMeasured: round(microsPerSample, 3),
      measuredOn: `${os.cpus()[0]?.model.trim()}, node ${process.version}`,
    },
  };
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(path.join(OUT_DIR, WATCH_SCREEN_WEIGHTS_FILE), weightsBytes);
  writeFileSync(path.join(OUT_DIR, WATCH_SCREEN_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);

  print();
  print("Window-level confusion on validation windows (rows truth, columns predicted)");
  print(formatTable([["", ...SCREEN_CLASSES], ...SCREEN_CLASSES.map((name, k) => [name, ...confusion[k]!.map(String)])]));
  print();
  print(`Escalation sweep (persistence ${PERSISTENCE_HITS} hits, pause ${REFUTE_PAUSE_S} s), validation patients`);
  print(
    formatTable([
      ["threshold", "sensitivity", "within 50 s", "outside/day"],
      ...escalationRows.filter((_, i) => i % 2 === 0).map((row) => [row.threshold.toFixed(3), row.sensitivity.toFixed(3), row.within50S.toFixed(3), row.outsidePerDay.toFixed(2)]),
    ]),
  );
  print();
  print(`Chosen: escalate ${escalation.threshold} (sensitivity ${escalation.sensitivity.toFixed(3)}, ${escalation.outsidePerDay.toFixed(2)} outside/day)`);
  print(`        watch-only alert ${alert.threshold} (sensitivity ${alert.sensitivity.toFixed(3)}, ${alert.outsidePerDay.toFixed(2)} outside/day with ${ALERT_PAUSE_S} s pause)`);
  print(`Wrote ${OUT_DIR}/${WATCH_SCREEN_WEIGHTS_FILE} (${weightsBytes.byteLength} bytes, sha256 ${manifest.sha256.slice(0, 12)}...) and ${WATCH_SCREEN_MANIFEST_FILE}`);
  print(`Screen cost ${microsPerSample.toFixed(2)} us per sample (features + model), ${parameters} parameters`);
  print(
    `RESULT ${JSON.stringify({
      train: "watch-screen",
      version: VERSION,
      sizeBytes: weightsBytes.byteLength,
      thresholds: manifest.thresholds,
      metrics: manifest.metrics,
      microsPerSample: round(microsPerSample, 3),
      seconds: round((performance.now() - startedAt) / 1000, 1),
    })}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
