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
// Strips are generated and preprocessed by worker threads (workers/ecg-strip-generator-worker.ts), the
// network trains on the main thread. Nothing is cached on disk. The reusable parts live in
// lib/detect/ecg/train (also used by the federated evaluation and the hospital process).
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { buildEcgModel, copyTrainingWeights, ECG_MODEL_INPUT_NAMES, ECG_MODEL_STAGES } from "../lib/detect/ecg/build-ecg-model";
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
import {
  formatEcgScore,
  generateEcgDataset,
  makeEcgBatch,
  makeStripSpecs,
  makeUnreadableSpecs,
  predictEcgClasses,
  scoreEcgClassification,
  shuffleIndexes,
  sliceEcgDataset,
  trainEcgEpochs,
  UNREADABLE_KINDS,
} from "../lib/detect/ecg/train";
import { useWasmBackend } from "../lib/detect/ecg/use-wasm-backend";
import { ECG_RHYTHMS } from "../lib/sim/ecg";
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

// A fifth of the training "noise" strips are unreadable (lead-off, white noise, mains hum, wander: see
// UNREADABLE_KINDS); they are evaluated separately so the main held-out figures stay simulator-only.
const UNREADABLE_SHARE_OF_NOISE = 0.2;
const UNREADABLE_HELD_OUT_PER_KIND = 30;

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

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

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

  const trainSpecs = makeStripSpecs({
    perClass: options["train-per-class"],
    seedBase: 1 + seed * 10_000,
    label: "train",
    noiseLevels: TRAIN_NOISE_LEVELS,
    sampleRatesHz: TRAIN_SAMPLE_RATES_HZ,
    unreadableShare: UNREADABLE_SHARE_OF_NOISE,
  });
  const heldOutSpecs = makeStripSpecs({
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
  const label = "training + held-out strips";
  const generationStartedAt = performance.now();
  const allStrips = await generateEcgDataset({
    specs: [
      ...trainSpecs,
      ...heldOutSpecs.map((spec) => ({ ...spec, index: spec.index + heldOutStart })),
      ...unreadableSpecs.map((spec) => ({ ...spec, index: spec.index + unreadableStart })),
    ],
    workers: options.workers,
    onProgress: ({ done, total, stripsPerS, etaS }) => step(`${label}: ${done}/${total} strips (${stripsPerS.toFixed(0)}/s, ETA ${formatS(etaS)})`),
  });
  step(`${label}: ${allStrips.count} strips in ${formatS((performance.now() - generationStartedAt) / 1000)}`);
  const train = sliceEcgDataset({ dataset: allStrips, from: 0, to: heldOutStart });
  const heldOut = sliceEcgDataset({ dataset: allStrips, from: heldOutStart, to: unreadableStart });
  const unreadable = sliceEcgDataset({ dataset: allStrips, from: unreadableStart, to: allStrips.count });

  await useWasmBackend();
  step(`tfjs ${tf.version.tfjs} on ${tf.getBackend()} (1 thread)`);
  const model = buildEcgModel({ form: "training", seed });
  step(`model: ${model.countParams()} parameters`);

  const orderRng = createRng(`ecg-train/order/${seed}`);
  const all = Array.from({ length: train.count }, (_, index) => index);
  shuffleIndexes(all, orderRng);
  const validationCount = Math.round(train.count * VALIDATION_SHARE);
  const batchSize = options["batch-size"];
  await trainEcgEpochs({
    model,
    dataset: train,
    fittingIndexes: all.slice(validationCount),
    validationIndexes: all.slice(0, validationCount),
    epochs: options.epochs,
    batchSize,
    baseLearningRate: options["learning-rate"],
    schedule: "cosine",
    rng: orderRng,
    onEpoch: (progress) =>
      step(
        `epoch ${String(progress.epoch).padStart(2)}/${progress.epochs}  loss ${progress.loss.toFixed(4)}  acc ${progress.accuracy.toFixed(4)}  val acc ${progress.validationAccuracy.toFixed(4)}  lr ${progress.learningRate.toExponential(1)}  ${progress.epochS.toFixed(1)}s  elapsed ${formatS(progress.elapsedS)}  ETA ${formatS(progress.etaS)}`,
      ),
  });

  // The served form: real conv1d layers with the trained weights, checked against the training form.
  const inference = buildEcgModel({ form: "inference", seed });
  copyTrainingWeights({ from: model, to: inference });
  const check = makeEcgBatch({ dataset: heldOut, indexes: [0, 1, 2, 3].map((offset) => offset * Math.floor(heldOut.count / 4)) });
  const maxDifference = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(check.inputs) as tf.Tensor, inference.predict(check.inputs) as tf.Tensor))).dataSync()[0]!);
  check.inputs.forEach((tensor) => tensor.dispose());
  if (!(maxDifference < 1e-4)) throw new Error(`conv1d form disagrees with the training form by ${maxDifference}`);

  const score = scoreEcgClassification({ truth: heldOut.labels, predicted: predictEcgClasses({ model: inference, dataset: heldOut }) });
  print();
  print("held-out evaluation (other seeds, noise levels and sample rate than training):");
  formatEcgScore({ score, setName: "held-out" }).forEach((line) => print(line));
  const unreadablePredicted = predictEcgClasses({ model: inference, dataset: unreadable });
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

  let artifacts: tf.io.ModelArtifacts | undefined;
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

await main();
