// Trains tier 2, the ECG classifier, on real recordings (plus a few simulated strips) and writes
// public/models/ecg-cnn/:
//   npm run train:ecg -- --data DIR [--seed 4242] [--epochs 20] [--synthetic-per-rhythm 120]
//
// Data (lib/detect/ecg/train/real-ecg-data.ts): the CinC 2017 recordings and MIT-BIH 30 s windows of the
// train split, augmented (a second crop of long recordings; random shift, polarity and gain per batch); simulated strips of every
// simulated rhythm, so the demo's simulated watches (no data directory on a fresh machine) are still read
// correctly. Model selection uses the validation split only: the epoch kept is the one with the best
// validation score, and the decision offsets are chosen on validation. The test split is read once at the
// end for the model card's figures, which `npm run eval:ecg` reproduces.
//
// Reproducible: fixed splits, weights initialised from the seed, seeded batch order, and the single-
// threaded tfjs WASM backend, whose kernels are deterministic.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { getConfig } from "../lib/config";
import { locateDatasetOrThrow, resolveDataDir } from "../lib/datasets";
import { buildEcgModel, copyTrainingWeights, ECG_MODEL_HIDDEN_UNITS, ECG_MODEL_INPUT_NAMES, ECG_MODEL_STAGES } from "../lib/detect/ecg/build-ecg-model";
import { ECG_CLASSES, pickEcgClass, type TEcgClass } from "../lib/detect/ecg/ecg-classes";
import {
  MAX_INPUT_DURATION_S,
  MAX_INPUT_SAMPLE_RATE_HZ,
  MIN_INPUT_DURATION_S,
  MIN_INPUT_SAMPLE_RATE_HZ,
  MODEL_DURATION_S,
  MODEL_INPUT_LENGTH,
  MODEL_SAMPLE_RATE_HZ,
  RR_FEATURE_COUNT,
  RR_FEATURE_NAMES,
} from "../lib/detect/ecg/ecg-input-spec";
import { ZEcgModelManifestSchema, type TEcgModelManifest } from "../lib/detect/ecg/ecg-model-manifest";
import { formatEcgScore, generateEcgDataset, makeEcgBatch, makeStripSpecs, scoreEcgClassification, selectEcgRows, trainEcgEpochs } from "../lib/detect/ecg/train";
import { getCosineLearningRate } from "../lib/detect/ecg/train/get-cosine-learning-rate";
import { loadRealEcgData, SPLIT_RULE, VE_WINDOW_MIN_BEATS, type TRealEcgData } from "../lib/detect/ecg/train/real-ecg-data";
import { chooseDecisionOffsets, scoreRealEcg, type TRealEcgScore } from "../lib/detect/ecg/train/score-real-ecg";
import { useWasmBackend } from "../lib/detect/ecg/use-wasm-backend";
import { createRng } from "../lib/sim/rng";

const MODEL_VERSION = "2.0.0";
const OUT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../public/models/ecg-cnn");
// Rare real classes are repeated in each epoch's draw: AF is 9 % of CinC, noise 3 %, ectopy windows fewer.
const OVERSAMPLE: Partial<Record<TEcgClass, number>> = { atrial_fibrillation: 2, noise: 3, ventricular_ectopy: 3 };

function readOptions() {
  const ZOptions = z.object({
    data: z.string().optional(),
    seed: z.coerce.number().int().min(1).max(10_000).default(4242),
    epochs: z.coerce.number().int().min(1).max(200).default(20),
    "batch-size": z.coerce.number().int().min(8).max(512).default(32),
    "learning-rate": z.coerce.number().positive().max(0.1).default(0.003),
    "synthetic-per-rhythm": z.coerce.number().int().min(0).max(2000).default(120),
    workers: z.coerce.number().int().min(0).max(8).default(2),
    "out-dir": z.string().default(OUT_DIR),
  });
  const { values } = parseArgs({ options: Object.fromEntries(Object.keys(ZOptions.shape).map((key) => [key, { type: "string" as const }])), strict: true });
  const parsed = ZOptions.safeParse(values);
  if (!parsed.success) throw new Error(`Invalid options:\n${parsed.error.issues.map((issue) => `  --${issue.path.join(".")}: ${issue.message}`).join("\n")}`);
  return parsed.data;
}

const startedAt = performance.now();
const print = (line = "") => process.stdout.write(`${line}\n`);
const step = (line: string) => print(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${line}`);
const formatS = (seconds: number) => (seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s` : `${seconds.toFixed(0)}s`);

function concatWeightData(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const buffers = Array.isArray(data) ? data : [data];
  const bytes = new Uint8Array(buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0));
  let offset = 0;
  for (const buffer of buffers) {
    bytes.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return bytes;
}

function predictProbabilities(model: tf.LayersModel, data: TRealEcgData): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let start = 0; start < data.dataset.count; start += 256) {
    const indexes = Array.from({ length: Math.min(256, data.dataset.count - start) }, (_, offset) => start + offset);
    const { inputs } = makeEcgBatch({ dataset: data.dataset, indexes });
    const output = tf.tidy(() => (model.predict(inputs) as tf.Tensor).dataSync());
    inputs.forEach((tensor) => tensor.dispose());
    for (let row = 0; row < indexes.length; row += 1) rows.push(Float32Array.from(output.subarray(row * ECG_CLASSES.length, (row + 1) * ECG_CLASSES.length)));
  }
  return rows;
}

const describeScore = (score: TRealEcgScore) =>
  `challenge F1 ${score.challengeF1.toFixed(3)} (N ${score.normalF1.toFixed(3)}, A ${score.afF1.toFixed(3)}, O ${score.otherF1.toFixed(3)}), AF sens ${score.afSensitivity.toFixed(3)} spec ${score.afSpecificity.toFixed(3)}, noise recall ${score.noiseRecall.toFixed(3)}, VE sens ${score.veSensitivity.toFixed(3)} (${score.veWindows} windows)`;

async function main() {
  const options = readOptions();
  const dataDir = resolveDataDir(options.data, getConfig().PULSEGUARD_DATA_DIR);
  if (!dataDir) throw new Error("No data directory: pass --data DIR or set PULSEGUARD_DATA_DIR (the README says where to download the recordings).");
  const seed = options.seed;
  print(`ECG classifier training on real recordings: seed ${seed}, ${options.epochs} epochs, data ${dataDir}`);
  print(`machine: ${os.cpus()[0]?.model.trim() ?? "unknown"} x ${os.cpus().length}, node ${process.version}`);
  const cincDir = locateDatasetOrThrow({ dataDir, dataset: "cinc2017" });
  const mitdbDir = locateDatasetOrThrow({ dataDir, dataset: "mitdb" });

  const train = await loadRealEcgData({ cincDir, mitdbDir, splits: ["train"], augment: true, onProgress: (line) => step(`train: ${line}`) });
  step(`train: ${train.dataset.count} real rows (with augmentation)`);
  const validation = await loadRealEcgData({ cincDir, mitdbDir, splits: ["validation"], augment: false, onProgress: (line) => step(`validation: ${line}`) });
  step(`validation: ${validation.dataset.count} real rows`);

  const syntheticSpecs = makeStripSpecs({
    perClass: options["synthetic-per-rhythm"],
    seedBase: 1 + seed * 10_000,
    label: "train",
    noiseLevels: [0, 0.1, 0.3, 0.5, 0.7, 0.9],
    sampleRatesHz: [250, 250, 250, 500],
    unreadableShare: 0.3,
  });
  const synthetic = await generateEcgDataset({ specs: syntheticSpecs, workers: options.workers, onProgress: ({ done, total }) => step(`simulated strips: ${done}/${total}`) });
  step(`simulated strips: ${synthetic.count}`);

  const combined = selectEcgRows({ parts: [{ dataset: train.dataset }, { dataset: synthetic }] });
  const fitting: number[] = [];
  for (let index = 0; index < combined.count; index += 1) {
    const repeat = OVERSAMPLE[ECG_CLASSES[combined.labels[index] as number] as TEcgClass] ?? 1;
    for (let copy = 0; copy < repeat; copy += 1) fitting.push(index);
  }
  const classCounts = ECG_CLASSES.map((name, index) => `${name} ${combined.labels.filter((label) => label === index).length}`).join(", ");
  step(`fitting on ${combined.count} rows (${classCounts}); ${fitting.length} draws per epoch after oversampling`);

  await useWasmBackend();
  step(`tfjs ${tf.version.tfjs} on ${tf.getBackend()} (1 thread)`);
  const model = buildEcgModel({ form: "training", seed });
  step(`model: ${model.countParams()} parameters`);
  const orderRng = createRng(`ecg-train-real/order/${seed}`);
  const optimizer = tf.train.adam(options["learning-rate"]);
  let best: { epoch: number; objective: number; weights: tf.Tensor[] } | null = null;
  const epochStartedAt = performance.now();
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    const learningRate = getCosineLearningRate({ baseLearningRate: options["learning-rate"], epoch, epochs: options.epochs });
    const [progress] = await trainEcgEpochs({ model, dataset: combined, fittingIndexes: fitting, epochs: 1, batchSize: options["batch-size"], baseLearningRate: learningRate, schedule: "constant", rng: orderRng, optimizer, augment: true });
    const score = scoreRealEcg({ rows: validation.meta, predicted: predictProbabilities(model, validation).map((row) => pickEcgClass(row, {})) });
    const objective = score.challengeF1 + 0.5 * score.veSensitivity;
    const elapsedS = (performance.now() - epochStartedAt) / 1000;
    step(
      `epoch ${String(epoch + 1).padStart(2)}/${options.epochs}  loss ${progress!.loss.toFixed(4)}  acc ${progress!.accuracy.toFixed(4)}  lr ${learningRate.toExponential(1)}  ${progress!.epochS.toFixed(0)}s  ETA ${formatS((elapsedS / (epoch + 1)) * (options.epochs - epoch - 1))}`,
    );
    step(`  validation: ${describeScore(score)}`);
    if (!best || objective > best.objective) {
      best?.weights.forEach((tensor) => tensor.dispose());
      best = { epoch: epoch + 1, objective, weights: model.getWeights().map((tensor) => tensor.clone()) };
    }
  }
  optimizer.dispose();
  if (!best) throw new Error("no epoch trained");
  model.setWeights(best.weights);
  step(`kept epoch ${best.epoch} (best validation challenge F1 + 0.5 x VE sensitivity)`);

  const inference = buildEcgModel({ form: "inference", seed });
  copyTrainingWeights({ from: model, to: inference });
  const check = makeEcgBatch({ dataset: validation.dataset, indexes: [0, 1, 2, 3].map((offset) => offset * Math.floor(validation.dataset.count / 4)) });
  const maxDifference = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(check.inputs) as tf.Tensor, inference.predict(check.inputs) as tf.Tensor))).dataSync()[0]!);
  check.inputs.forEach((tensor) => tensor.dispose());
  if (!(maxDifference < 1e-4)) throw new Error(`conv1d form disagrees with the training form by ${maxDifference}`);

  const validationProbabilities = predictProbabilities(inference, validation);
  const { offsets, score: validationScore } = chooseDecisionOffsets({ rows: validation.meta, probabilities: validationProbabilities });
  step(`decision offsets (validation): ${JSON.stringify(offsets)}`);
  step(`validation with offsets: ${describeScore(validationScore)}`);

  const test = await loadRealEcgData({ cincDir, mitdbDir, splits: ["test"], augment: false });
  const testScore = scoreRealEcg({ rows: test.meta, predicted: predictProbabilities(inference, test).map((row) => pickEcgClass(row, offsets)) });
  step(`test (read once, after every choice was made): ${describeScore(testScore)}`);

  const simulatedHeldOut = makeStripSpecs({ perClass: 40, seedBase: 1_000_000 + seed * 10_000, label: "held-out", noiseLevels: [0.05, 0.2, 0.4, 0.6], sampleRatesHz: [250, 360], unreadableShare: 0 });
  const simulated = await generateEcgDataset({ specs: simulatedHeldOut, workers: options.workers });
  const simulatedScore = scoreEcgClassification({
    truth: simulated.labels,
    predicted: predictProbabilities(inference, { dataset: simulated, meta: [], heartRatesBpm: [] }).map((row) => ECG_CLASSES.indexOf(pickEcgClass(row, offsets))),
  });
  print();
  print("simulated strips (other simulator seeds; tachycardia and bradycardia strips count as sinus here, their label comes from the rate):");
  formatEcgScore({ score: simulatedScore, setName: "simulated" }).forEach((line) => print(line));
  print();

  let artifacts: tf.io.ModelArtifacts | undefined;
  await inference.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
    }),
  );
  if (!artifacts?.weightData || !artifacts.weightSpecs) throw new Error("model save produced no weights");
  const weightBytes = concatWeightData(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
  const modelJson = `${JSON.stringify({
    modelTopology: artifacts.modelTopology,
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
  })}\n`;
  const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
  const count = (data: TRealEcgData, source: string) => data.meta.filter((row) => row.source === source).length;
  const uniqueRecords = (data: TRealEcgData, source: string) => new Set(data.meta.filter((row) => row.source === source).map((row) => row.record)).size;
  const manifest: TEcgModelManifest = ZEcgModelManifestSchema.parse({
    name: "ecg-cnn",
    version: MODEL_VERSION,
    classes: [...ECG_CLASSES],
    input: {
      sampleRateHz: MODEL_SAMPLE_RATE_HZ,
      durationS: MODEL_DURATION_S,
      length: MODEL_INPUT_LENGTH,
      units: "mV",
      acceptedSampleRateHz: { min: MIN_INPUT_SAMPLE_RATE_HZ, max: MAX_INPUT_SAMPLE_RATE_HZ },
      acceptedDurationS: { min: MIN_INPUT_DURATION_S, max: MAX_INPUT_DURATION_S },
      preprocessing: [
        `resample to ${MODEL_SAMPLE_RATE_HZ} Hz (Blackman-windowed sinc low-pass at 0.4 x output rate, then linear interpolation)`,
        `last ${MODEL_DURATION_S} s of the strip; shorter strips zero-padded after their end`,
        "RR features from the Pan-Tompkins detector (lib/detect/qrs) on the 125 Hz window, in rrFeatures order",
        "signal minus its median, divided by the 99th percentile of |signal - median| (floor 0.05 mV), clipped to +-8",
      ],
      rrFeatures: [...RR_FEATURE_NAMES],
    },
    architecture: {
      description: `inputs ${ECG_MODEL_INPUT_NAMES.signal} [${MODEL_INPUT_LENGTH},1] and ${ECG_MODEL_INPUT_NAMES.rrFeatures} [${RR_FEATURE_COUNT}]; conv1d stages (kernel = stride, ReLU); global average + max pooling; concat with RR features; dense ${ECG_MODEL_HIDDEN_UNITS} ReLU; dense softmax`,
      stages: ECG_MODEL_STAGES.map(([kernel, filters]) => [kernel, filters]),
    },
    parameterCount: inference.countParams(),
    sizeBytes: weightBytes.byteLength,
    sha256: sha256(weightBytes),
    modelJsonSha256: sha256(modelJson),
    files: { model: "model.json", weights: "weights.bin" },
    decisionOffsets: offsets,
    metrics: {
      heldOut: simulatedScore,
      real: { split: "test", ...testScore },
      validation: validationScore,
    },
    card: {
      intendedUse:
        "Second-tier rhythm check of a 9-120 s single-lead ECG strip recorded on request after the watch screen flagged a patient: normal sinus rhythm, atrial fibrillation, other abnormal rhythm, ventricular ectopy, or unreadable; tachycardia and bradycardia from the detected rate. Decision support for clinicians, not a diagnosis.",
      trainingData: [
        { dataset: "PhysioNet/CinC Challenge 2017 training set (AliveCor single lead, 300 Hz)", records: uniqueRecords(train, "cinc2017"), rows: count(train, "cinc2017"), labels: "REFERENCE.csv v3 (N, A, O, ~)" },
        {
          dataset: "MIT-BIH Arrhythmia Database (first lead, 360 Hz)",
          records: uniqueRecords(train, "mitdb"),
          rows: count(train, "mitdb"),
          labels: `reference beat and rhythm annotations, 30 s windows (ventricular ectopy: >= ${VE_WINDOW_MIN_BEATS} ventricular ectopic beats)`,
        },
        { dataset: "PulseGuard simulator (lib/sim/ecg)", records: synthetic.count, labels: "generated rhythm; simulated tachycardia and bradycardia taught as sinus" },
      ],
      split: `CinC: ${SPLIT_RULE.cinc}. MIT-BIH: ${SPLIT_RULE.mitdb}. Validation (epoch and decision offsets): ${count(validation, "cinc2017")} CinC recordings, ${count(validation, "mitdb")} MIT-BIH windows. Test: ${testScore.records} CinC recordings, ${testScore.mitdbWindows} MIT-BIH windows.`,
      knownLimits: [
        "Trained on hand-held lead I (CinC) and Holter lead MLII (MIT-BIH); a wrist lead has lower amplitude and more motion artifact than either.",
        "Ventricular ectopy comes from a few dozen MIT-BIH patients; the test split holds only a few of them, so its ectopy figure is uncertain.",
        "'Other rhythm' covers many rhythms (flutter, blocks, bigeminy, paced); the model does not say which.",
        "Tachycardia and bradycardia are read from the detected rate and are only as good as the QRS detector on the strip.",
        "Some CinC test figures are on recordings of the same patients as training recordings (CinC has no patient ids).",
      ],
    },
    training: {
      seed,
      backend: "tfjs-wasm (1 thread), kernel = stride convolutions trained in their reshape + dense form",
      epochs: options.epochs,
      keptEpoch: best.epoch,
      batchSize: options["batch-size"],
      learningRate: options["learning-rate"],
      wallS: Math.round((performance.now() - startedAt) / 100) / 10,
      data: {
        realRows: train.dataset.count,
        syntheticStrips: synthetic.count,
        oversampling: OVERSAMPLE,
        augmentation: "second crop (first 30 s) of CinC recordings of 40 s or more; per batch a random circular shift (0-3 s), polarity and gain (+-20 %)",
      },
    },
    deviceFit: { runtime: "tfjs-wasm", threads: 1, minMemoryMb: 128 },
  });
  best.weights.forEach((tensor) => tensor.dispose());

  mkdirSync(options["out-dir"], { recursive: true });
  writeFileSync(path.join(options["out-dir"], "weights.bin"), weightBytes);
  writeFileSync(path.join(options["out-dir"], "model.json"), modelJson);
  writeFileSync(path.join(options["out-dir"], "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  step(`wrote ${options["out-dir"]}: weights.bin ${weightBytes.byteLength} bytes (sha256 ${manifest.sha256.slice(0, 16)}...), ${manifest.parameterCount} parameters`);
  step(`done in ${formatS((performance.now() - startedAt) / 1000)}`);
}

await main();
