// Trains tier 2, the ECG classifier, on simulated strips and writes public/models/ecg-cnn/:
//   npm run train:ecg -- [--seed 4242] [--train-per-class 900] [--held-out-per-class 200] [--epochs 10]
//
// Reproducible: the data are a pure function of the seed (lib/sim), the weights are initialised from
// the seed, batches are shuffled with a seeded generator, and training runs on the single-threaded tfjs
// WASM backend, whose kernels are deterministic; the same seed gives the same weights.bin, byte for byte.
//
// Held-out evaluation uses strips no training strip shares anything with: other simulator seeds (so other
// synthetic patients: morphology, lead gain, breathing rate and artifact draws all follow the seed),
// noise levels from a disjoint grid, and a sample rate (360 Hz) never seen in training.
//
// Strips are generated and preprocessed by two worker threads (this same file), the network trains on
// the main thread. Nothing is cached on disk.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type * as TTf from "@tensorflow/tfjs";
import { z } from "zod";
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
import { preprocessEcgStrip } from "../lib/detect/ecg/preprocess-ecg-strip";
import { ECG_RHYTHM_HEART_RATE_RANGES_BPM, ECG_RHYTHMS, generateEcgStrip, type TEcgRhythm } from "../lib/sim/ecg";
import { createRng } from "../lib/sim/rng";

const MODEL_VERSION = "1.0.0";
const OUT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../public/models/ecg-cnn");

// Noise grids (lib/sim noiseLevel 0..1): interleaved, so held-out levels lie between and beyond the
// trained ones rather than on them.
const TRAIN_NOISE_LEVELS = [0, 0.1, 0.3, 0.5, 0.7, 0.9];
const HELD_OUT_NOISE_LEVELS = [0.05, 0.2, 0.4, 0.6, 0.8, 1];
// Device rates: the watch's 250 Hz mostly, plus one other rate each, so resampling is part of what is
// learned (training) and of what is tested (held-out, at a rate never trained on).
const TRAIN_SAMPLE_RATES_HZ = [250, 250, 250, 250, 500];
const HELD_OUT_SAMPLE_RATES_HZ = [250, 250, 250, 250, 360];
// Held-out simulator seeds start here; training seeds are 1..N, far below.
const HELD_OUT_SEED_BASE = 1_000_000;
// A tenth of the training strips is kept aside for the per-epoch validation figure.
const VALIDATION_SHARE = 0.1;

// tfjs and the model code load on the main thread only (in main()): the generator workers need neither,
// and importing tfjs costs each of them seconds of start-up.
let tf: typeof TTf;

// Strips no QRS can be read from that the simulator does not make: a lead off (flat, or pinned to a
// rail), broadband noise only, mains hum only, baseline wander only. Without them a flat line, which
// has no beats, looked like the slowest rhythm the model knew (bradycardia, 0.48 in a first version);
// an unreadable strip must say "noise", never a rhythm. A fifth of the training "noise" strips are of
// these kinds; they are evaluated separately so the main held-out figures stay simulator-only.
const UNREADABLE_KINDS = ["lead-off", "white-noise", "mains-hum", "baseline-wander"] as const;
type TUnreadableKind = (typeof UNREADABLE_KINDS)[number];
const UNREADABLE_SHARE_OF_NOISE = 0.2;
const UNREADABLE_HELD_OUT_PER_KIND = 30;

type TStripSpec = {
  index: number;
  seed: number;
  rhythm: TEcgRhythm;
  heartRateBpm: number;
  noiseLevel: number;
  sampleRateHz: number;
  unreadable?: TUnreadableKind;
};

const ZWorkerMessageSchema = z.object({
  index: z.number().int(),
  signal: z.instanceof(Float32Array),
  rrFeatures: z.instanceof(Float32Array),
});

function readOptions() {
  const ZOptions = z.object({
    seed: z.coerce.number().int().min(1).max(HELD_OUT_SEED_BASE / 100).default(4242),
    "train-per-class": z.coerce.number().int().min(10).max(5000).default(900),
    "held-out-per-class": z.coerce.number().int().min(5).max(2000).default(200),
    epochs: z.coerce.number().int().min(1).max(200).default(10),
    "batch-size": z.coerce.number().int().min(8).max(512).default(32),
    "learning-rate": z.coerce.number().positive().max(0.1).default(0.003),
    workers: z.coerce.number().int().min(1).max(8).default(2),
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

/** Strip specs for one set: perClass strips of every rhythm, rates spread evenly over the rhythm's range. */
function makeSpecs(options: {
  perClass: number;
  seedBase: number;
  label: string;
  noiseLevels: number[];
  sampleRatesHz: number[];
  unreadableShare: number;
}): TStripSpec[] {
  const { perClass, seedBase, label, noiseLevels, sampleRatesHz, unreadableShare } = options;
  const unreadableEvery = unreadableShare > 0 ? Math.round(1 / unreadableShare) : 0;
  const rng = createRng(`ecg-train/${label}/${seedBase}`);
  const specs: TStripSpec[] = [];
  ECG_RHYTHMS.forEach((rhythm, rhythmIndex) => {
    const range = ECG_RHYTHM_HEART_RATE_RANGES_BPM[rhythm];
    for (let index = 0; index < perClass; index += 1) {
      // Stratified over the range (one draw per equal slice) so every part of it is represented.
      const share = (index + rng.next()) / perClass;
      specs.push({
        index: specs.length,
        seed: seedBase + rhythmIndex * perClass + index,
        rhythm,
        heartRateBpm: Math.round((range.minBpm + share * (range.maxBpm - range.minBpm)) * 10) / 10,
        noiseLevel: rng.pick(noiseLevels),
        sampleRateHz: rng.pick(sampleRatesHz),
        // Every (1 / share)-th noise strip, so the rest still spread over the whole rate range.
        unreadable: rhythm === "noise" && unreadableEvery > 0 && index % unreadableEvery === 0 ? UNREADABLE_KINDS[(index / unreadableEvery) % UNREADABLE_KINDS.length] : undefined,
      });
    }
  });
  return specs;
}

function makeUnreadableSpecs(options: { perKind: number; seedBase: number; sampleRatesHz: number[] }): TStripSpec[] {
  const rng = createRng(`ecg-train/unreadable/${options.seedBase}`);
  return UNREADABLE_KINDS.flatMap((kind, kindIndex) =>
    Array.from({ length: options.perKind }, (_, index) => ({
      index: kindIndex * options.perKind + index,
      seed: options.seedBase + kindIndex * options.perKind + index,
      rhythm: "noise" as const,
      heartRateBpm: 0,
      noiseLevel: 0,
      sampleRateHz: rng.pick(options.sampleRatesHz),
      unreadable: kind,
    })),
  );
}

/** A 30 s strip of one unreadable kind, in mV; a pure function of the spec. */
function makeUnreadableSamples(spec: TStripSpec & { unreadable: TUnreadableKind }): Float32Array {
  const rng = createRng(`ecg-train/unreadable-strip/${spec.seed}`);
  const length = MODEL_DURATION_S * spec.sampleRateHz;
  const offsetMv = rng.chance(0.25) ? (rng.chance(0.5) ? 5 : -5) : rng.uniform(-1, 1);
  const floorNoiseMv = rng.uniform(0, 0.03);
  const samples = new Float32Array(length);
  const tones: { amplitudeMv: number; frequencyHz: number; phase: number }[] = [];
  if (spec.unreadable === "mains-hum") tones.push({ amplitudeMv: rng.uniform(0.05, 1), frequencyHz: rng.pick([50, 60]), phase: rng.uniform(0, 2 * Math.PI) });
  if (spec.unreadable === "baseline-wander") {
    for (let count = rng.int(1, 3); count > 0; count -= 1) tones.push({ amplitudeMv: rng.uniform(0.2, 2), frequencyHz: rng.uniform(0.05, 2), phase: rng.uniform(0, 2 * Math.PI) });
  }
  const noiseMv = spec.unreadable === "white-noise" ? rng.uniform(0.02, 1) : floorNoiseMv;
  for (let index = 0; index < length; index += 1) {
    const t = index / spec.sampleRateHz;
    let value = offsetMv + rng.normal(0, noiseMv);
    for (const tone of tones) value += tone.amplitudeMv * Math.sin(2 * Math.PI * tone.frequencyHz * t + tone.phase);
    samples[index] = value;
  }
  return samples;
}

type TDataset = { count: number; signals: Float32Array; rrFeatures: Float32Array; labels: Int32Array };

async function generateDataset(specs: TStripSpec[], workerCount: number, label: string): Promise<TDataset> {
  const dataset: TDataset = {
    count: specs.length,
    signals: new Float32Array(specs.length * MODEL_INPUT_LENGTH),
    rrFeatures: new Float32Array(specs.length * RR_FEATURE_COUNT),
    labels: new Int32Array(specs.length),
  };
  specs.forEach((spec) => (dataset.labels[spec.index] = ECG_RHYTHMS.indexOf(spec.rhythm)));
  const t0 = performance.now();
  let done = 0;
  let lastReport = t0;
  const chunks = Array.from({ length: workerCount }, (_, worker) => specs.filter((_, index) => index % workerCount === worker));
  await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise<void>((resolve, reject) => {
          const worker = startTypeScriptWorker(chunk);
          let received = 0;
          worker.on("message", (message: unknown) => {
            const { index, signal, rrFeatures } = ZWorkerMessageSchema.parse(message);
            dataset.signals.set(signal, index * MODEL_INPUT_LENGTH);
            dataset.rrFeatures.set(rrFeatures, index * RR_FEATURE_COUNT);
            received += 1;
            done += 1;
            const now = performance.now();
            if (now - lastReport > 5000 && done >= 10) {
              lastReport = now;
              const rate = done / ((now - t0) / 1000);
              step(`${label}: ${done}/${specs.length} strips (${rate.toFixed(0)}/s, ETA ${formatS((specs.length - done) / rate)})`);
            }
          });
          worker.on("error", reject);
          worker.on("exit", (code) => (code === 0 && received === chunk.length ? resolve() : reject(new Error(`generator worker exited with ${code} after ${received}/${chunk.length}`))));
        }),
    ),
  );
  step(`${label}: ${specs.length} strips in ${formatS((performance.now() - t0) / 1000)}`);
  return dataset;
}

/**
 * This file as a worker thread. `execArgv: ["--import", "tsx"]` does not reach worker threads on Node
 * 20 (the .ts entry fails with ERR_UNKNOWN_FILE_EXTENSION), so a small ESM shim registers tsx's loader
 * inside the worker before importing the TypeScript entry.
 */
function startTypeScriptWorker(chunk: TStripSpec[]): Worker {
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const shim = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  return new Worker(shim, { eval: true, workerData: chunk });
}

function sliceDataset(dataset: TDataset, from: number, to: number): TDataset {
  return {
    count: to - from,
    signals: dataset.signals.subarray(from * MODEL_INPUT_LENGTH, to * MODEL_INPUT_LENGTH),
    rrFeatures: dataset.rrFeatures.subarray(from * RR_FEATURE_COUNT, to * RR_FEATURE_COUNT),
    labels: dataset.labels.subarray(from, to),
  };
}

function makeBatch(dataset: TDataset, indexes: ArrayLike<number>) {
  const size = indexes.length;
  const signals = new Float32Array(size * MODEL_INPUT_LENGTH);
  const rr = new Float32Array(size * RR_FEATURE_COUNT);
  const labels = new Int32Array(size);
  for (let row = 0; row < size; row += 1) {
    const index = indexes[row] as number;
    signals.set(dataset.signals.subarray(index * MODEL_INPUT_LENGTH, (index + 1) * MODEL_INPUT_LENGTH), row * MODEL_INPUT_LENGTH);
    rr.set(dataset.rrFeatures.subarray(index * RR_FEATURE_COUNT, (index + 1) * RR_FEATURE_COUNT), row * RR_FEATURE_COUNT);
    labels[row] = dataset.labels[index] as number;
  }
  return {
    inputs: [tf.tensor3d(signals, [size, MODEL_INPUT_LENGTH, 1]), tf.tensor2d(rr, [size, RR_FEATURE_COUNT])],
    labels,
  };
}

function predictClasses(model: TTf.LayersModel, dataset: TDataset, indexes: number[]): Int32Array {
  const predicted = new Int32Array(indexes.length);
  const batchSize = 128;
  for (let start = 0; start < indexes.length; start += batchSize) {
    const slice = indexes.slice(start, start + batchSize);
    const { inputs } = makeBatch(dataset, slice);
    const classes = tf.tidy(() => (model.predict(inputs) as TTf.Tensor).argMax(-1).dataSync());
    inputs.forEach((tensor) => tensor.dispose());
    predicted.set(classes, start);
  }
  return predicted;
}

function shuffle(indexes: number[], rng: ReturnType<typeof createRng>) {
  for (let index = indexes.length - 1; index > 0; index -= 1) {
    const other = rng.int(0, index);
    [indexes[index], indexes[other]] = [indexes[other] as number, indexes[index] as number];
  }
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

function scoreClassification(truth: ArrayLike<number>, predicted: ArrayLike<number>) {
  const classCount = ECG_RHYTHMS.length;
  const confusionMatrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let index = 0; index < truth.length; index += 1) confusionMatrix[truth[index] as number]![predicted[index] as number]! += 1;
  const perClass = {} as Record<TEcgRhythm, { precision: number; recall: number; f1: number; support: number }>;
  let f1Sum = 0;
  let correct = 0;
  ECG_RHYTHMS.forEach((rhythm, row) => {
    const truePositives = confusionMatrix[row]![row]!;
    correct += truePositives;
    const support = confusionMatrix[row]!.reduce((sum, value) => sum + value, 0);
    const predictedCount = confusionMatrix.reduce((sum, line) => sum + line[row]!, 0);
    const precision = predictedCount > 0 ? truePositives / predictedCount : 0;
    const recall = support > 0 ? truePositives / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    f1Sum += f1;
    perClass[rhythm] = { precision: round4(precision), recall: round4(recall), f1: round4(f1), support };
  });
  return { strips: truth.length, accuracy: round4(correct / truth.length), macroF1: round4(f1Sum / classCount), perClass, confusionMatrix };
}

function printScore(score: ReturnType<typeof scoreClassification>) {
  const short = ["sinus", "afib", "tachy", "brady", "ectopy", "noise"];
  const rows = [["class", "precision", "recall", "F1", "support"]];
  ECG_RHYTHMS.forEach((rhythm) => {
    const metrics = score.perClass[rhythm];
    rows.push([rhythm, metrics.precision.toFixed(3), metrics.recall.toFixed(3), metrics.f1.toFixed(3), String(metrics.support)]);
  });
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) print(`  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ")}`);
  print(`  macro F1 ${score.macroF1.toFixed(4)}, accuracy ${score.accuracy.toFixed(4)} on ${score.strips} held-out strips`);
  print();
  print(`  confusion (rows: true, columns: predicted)`);
  print(`  ${"".padEnd(8)}${short.map((name) => name.padStart(8)).join("")}`);
  score.confusionMatrix.forEach((line, row) => print(`  ${short[row]!.padEnd(8)}${line.map((value) => String(value).padStart(8)).join("")}`));
}

function concatWeightData(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const buffers = Array.isArray(data) ? data : [data];
  const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const buffer of buffers) {
    bytes.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return bytes;
}

async function main() {
  const options = readOptions();
  const seed = options.seed;
  print(`ECG classifier training: seed ${seed}, ${options["train-per-class"]} training and ${options["held-out-per-class"]} held-out strips per class, ${options.epochs} epochs`);
  print(`machine: ${os.cpus()[0]?.model.trim() ?? "unknown"} x ${os.cpus().length}, node ${process.version}`);

  const trainSpecs = makeSpecs({
    perClass: options["train-per-class"],
    seedBase: 1 + seed * 10_000,
    label: "train",
    noiseLevels: TRAIN_NOISE_LEVELS,
    sampleRatesHz: TRAIN_SAMPLE_RATES_HZ,
    unreadableShare: UNREADABLE_SHARE_OF_NOISE,
  });
  const heldOutSpecs = makeSpecs({
    perClass: options["held-out-per-class"],
    seedBase: HELD_OUT_SEED_BASE + seed * 10_000,
    label: "held-out",
    noiseLevels: HELD_OUT_NOISE_LEVELS,
    sampleRatesHz: HELD_OUT_SAMPLE_RATES_HZ,
    unreadableShare: 0,
  });
  const unreadableSpecs = makeUnreadableSpecs({ perKind: UNREADABLE_HELD_OUT_PER_KIND, seedBase: HELD_OUT_SEED_BASE + seed * 10_000 + 5_000, sampleRatesHz: HELD_OUT_SAMPLE_RATES_HZ });
  const trainSeeds = new Set(trainSpecs.map((spec) => spec.seed));
  if ([...heldOutSpecs, ...unreadableSpecs].some((spec) => trainSeeds.has(spec.seed))) throw new Error("held-out seeds overlap the training seeds");

  const heldOutStart = trainSpecs.length;
  const unreadableStart = heldOutStart + heldOutSpecs.length;
  const allStrips = await generateDataset(
    [
      ...trainSpecs,
      ...heldOutSpecs.map((spec) => ({ ...spec, index: spec.index + heldOutStart })),
      ...unreadableSpecs.map((spec) => ({ ...spec, index: spec.index + unreadableStart })),
    ],
    options.workers,
    "training + held-out strips",
  );
  const train = sliceDataset(allStrips, 0, heldOutStart);
  const heldOut = sliceDataset(allStrips, heldOutStart, unreadableStart);
  const unreadable = sliceDataset(allStrips, unreadableStart, allStrips.count);

  tf = await import("@tensorflow/tfjs");
  const { buildEcgModel, copyTrainingWeights, ECG_MODEL_INPUT_NAMES, ECG_MODEL_STAGES } = await import("../lib/detect/ecg/build-ecg-model");
  const { useWasmBackend } = await import("../lib/detect/ecg/use-wasm-backend");
  await useWasmBackend();
  step(`tfjs ${tf.version.tfjs} on ${tf.getBackend()} (1 thread)`);
  const model = buildEcgModel({ form: "training", seed });
  const optimizer = tf.train.adam(options["learning-rate"]);
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  step(`model: ${model.countParams()} parameters`);

  const orderRng = createRng(`ecg-train/order/${seed}`);
  const all = Array.from({ length: train.count }, (_, index) => index);
  shuffle(all, orderRng);
  const validationCount = Math.round(train.count * VALIDATION_SHARE);
  const validation = all.slice(0, validationCount);
  const fitting = all.slice(validationCount);
  const batchSize = options["batch-size"];
  const trainStartedAt = performance.now();
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    // Cosine decay to a tenth: large steps early, fine ones at the end, no tuning of a schedule.
    const learningRate = options["learning-rate"] * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * epoch) / options.epochs)));
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    shuffle(fitting, orderRng);
    let lossSum = 0;
    let accuracySum = 0;
    let batches = 0;
    const epochStartedAt = performance.now();
    for (let start = 0; start + batchSize <= fitting.length; start += batchSize) {
      const { inputs, labels } = makeBatch(train, fitting.slice(start, start + batchSize));
      const target = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), ECG_RHYTHMS.length).toFloat());
      const [loss, accuracy] = (await model.trainOnBatch(inputs, target)) as number[];
      inputs.forEach((tensor) => tensor.dispose());
      target.dispose();
      lossSum += loss ?? Number.NaN;
      accuracySum += accuracy ?? Number.NaN;
      batches += 1;
    }
    const predicted = predictClasses(model, train, validation);
    const validationAccuracy = predicted.reduce((sum, value, index) => sum + (value === train.labels[validation[index]!] ? 1 : 0), 0) / validation.length;
    const elapsedS = (performance.now() - trainStartedAt) / 1000;
    const etaS = (elapsedS / (epoch + 1)) * (options.epochs - epoch - 1);
    step(
      `epoch ${String(epoch + 1).padStart(2)}/${options.epochs}  loss ${(lossSum / batches).toFixed(4)}  acc ${(accuracySum / batches).toFixed(4)}  val acc ${validationAccuracy.toFixed(4)}  lr ${learningRate.toExponential(1)}  ${((performance.now() - epochStartedAt) / 1000).toFixed(1)}s  elapsed ${formatS(elapsedS)}  ETA ${formatS(etaS)}`,
    );
  }

  // The served form: real conv1d layers with the trained weights, checked against the training form.
  const inference = buildEcgModel({ form: "inference", seed });
  copyTrainingWeights({ from: model, to: inference });
  const check = makeBatch(heldOut, [0, 1, 2, 3].map((offset) => offset * Math.floor(heldOut.count / 4)));
  const maxDifference = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(check.inputs) as TTf.Tensor, inference.predict(check.inputs) as TTf.Tensor))).dataSync()[0]!);
  check.inputs.forEach((tensor) => tensor.dispose());
  if (!(maxDifference < 1e-4)) throw new Error(`conv1d form disagrees with the training form by ${maxDifference}`);

  const heldOutIndexes = Array.from({ length: heldOut.count }, (_, index) => index);
  const score = scoreClassification(heldOut.labels, predictClasses(inference, heldOut, heldOutIndexes));
  print();
  print("held-out evaluation (other seeds, noise levels and sample rate than training):");
  printScore(score);
  const unreadablePredicted = predictClasses(inference, unreadable, Array.from({ length: unreadable.count }, (_, index) => index));
  const noiseIndex = ECG_RHYTHMS.indexOf("noise");
  const unreadableRecallByKind = Object.fromEntries(
    UNREADABLE_KINDS.map((kind) => {
      const rows = unreadableSpecs.filter((spec) => spec.unreadable === kind).map((spec) => spec.index);
      return [kind, round4(rows.filter((row) => unreadablePredicted[row] === noiseIndex).length / rows.length)];
    }),
  );
  const unreadableRecall = round4(unreadablePredicted.filter((label) => label === noiseIndex).length / unreadable.count);
  print();
  print(`unreadable strips (lead-off, white noise, mains hum, wander; ${unreadable.count} held-out): ${(100 * unreadableRecall).toFixed(1)} % called noise ${JSON.stringify(unreadableRecallByKind)}`);
  print();

  let artifacts: TTf.io.ModelArtifacts | undefined;
  await inference.save(tf.io.withSaveHandler(async (saved) => {
    artifacts = saved;
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
  }));
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
  const manifest: TEcgModelManifest = ZEcgModelManifestSchema.parse({
    name: "ecg-cnn",
    version: MODEL_VERSION,
    classes: [...ECG_RHYTHMS],
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
      description: `inputs ${ECG_MODEL_INPUT_NAMES.signal} [${MODEL_INPUT_LENGTH},1] and ${ECG_MODEL_INPUT_NAMES.rrFeatures} [${RR_FEATURE_COUNT}]; conv1d stages (kernel = stride, ReLU); global average + max pooling; concat with RR features; dense 32 ReLU; dense softmax`,
      stages: ECG_MODEL_STAGES.map(([kernel, filters]) => [kernel, filters]),
    },
    parameterCount: inference.countParams(),
    sizeBytes: weightBytes.byteLength,
    sha256: sha256(weightBytes),
    modelJsonSha256: sha256(modelJson),
    files: { model: "model.json", weights: "weights.bin" },
    metrics: { heldOut: score, unreadable: { strips: unreadable.count, noiseRecall: unreadableRecall, noiseRecallByKind: unreadableRecallByKind } },
    training: {
      seed,
      backend: "tfjs-wasm (1 thread), kernel = stride convolutions trained in their reshape + dense form",
      epochs: options.epochs,
      batchSize,
      learningRate: options["learning-rate"],
      wallS: Math.round((performance.now() - startedAt) / 100) / 10,
      data: {
        simulator: "lib/sim/ecg generateEcgStrip, 30 s strips",
        train: {
          stripsPerClass: options["train-per-class"],
          validationShare: VALIDATION_SHARE,
          seeds: `${trainSpecs[0]!.seed}..${trainSpecs.at(-1)!.seed}`,
          noiseLevels: TRAIN_NOISE_LEVELS,
          sampleRatesHz: [...new Set(TRAIN_SAMPLE_RATES_HZ)],
          heartRates: "stratified over each rhythm's ECG_RHYTHM_HEART_RATE_RANGES_BPM",
          unreadableShareOfNoise: UNREADABLE_SHARE_OF_NOISE,
          unreadableKinds: [...UNREADABLE_KINDS],
        },
        unreadableHeldOut: { perKind: UNREADABLE_HELD_OUT_PER_KIND, seeds: `${unreadableSpecs[0]!.seed}..${unreadableSpecs.at(-1)!.seed}` },
        heldOut: {
          stripsPerClass: options["held-out-per-class"],
          seeds: `${heldOutSpecs[0]!.seed}..${heldOutSpecs.at(-1)!.seed}`,
          noiseLevels: HELD_OUT_NOISE_LEVELS,
          sampleRatesHz: [...new Set(HELD_OUT_SAMPLE_RATES_HZ)],
          heartRates: "stratified over each rhythm's ECG_RHYTHM_HEART_RATE_RANGES_BPM",
        },
      },
    },
    // A worker holding the model and the WASM heap; see bench/ecg-inference.ts for the measured RSS.
    deviceFit: { runtime: "tfjs-wasm", threads: 1, minMemoryMb: 128 },
  });

  mkdirSync(options["out-dir"], { recursive: true });
  writeFileSync(path.join(options["out-dir"], "weights.bin"), weightBytes);
  writeFileSync(path.join(options["out-dir"], "model.json"), modelJson);
  writeFileSync(path.join(options["out-dir"], "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  step(`wrote ${options["out-dir"]}: weights.bin ${weightBytes.byteLength} bytes (sha256 ${manifest.sha256.slice(0, 16)}...), ${manifest.parameterCount} parameters`);
  step(`done in ${formatS((performance.now() - startedAt) / 1000)}`);
}

if (!isMainThread) {
  // Generator worker: strips in, preprocessed model inputs out (transferred, not copied).
  const specs = workerData as TStripSpec[];
  for (const spec of specs) {
    const samples = spec.unreadable
      ? makeUnreadableSamples({ ...spec, unreadable: spec.unreadable })
      : generateEcgStrip({
          seed: spec.seed,
          rhythm: spec.rhythm,
          heartRateBpm: spec.heartRateBpm,
          noiseLevel: spec.noiseLevel,
          sampleRateHz: spec.sampleRateHz,
          durationS: MODEL_DURATION_S,
        }).samples;
    const { signal, rrFeatures } = preprocessEcgStrip({ samples, sampleRateHz: spec.sampleRateHz });
    parentPort!.postMessage({ index: spec.index, signal, rrFeatures }, [signal.buffer as ArrayBuffer, rrFeatures.buffer as ArrayBuffer]);
  }
} else {
  await main();
}
