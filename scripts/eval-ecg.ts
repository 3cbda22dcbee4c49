// Scores the committed ECG model on real recordings it never trained on:
//   npm run eval:ecg -- --data DIR [--all] [--model-dir public/models/ecg-cnn]
//
// Default: the test split of CinC 2017 (by record) and MIT-BIH (by patient) as lib/detect/ecg/train/
// real-ecg-data.ts fixes it; training and model selection never read it. --all: every recording and
// window in DIR, for data laid out like ours whose records the model has never seen (on our own data
// --all includes the training records, so its figures are not evidence). Every row goes through the
// product's preprocessing and the served model with its decision offsets; msPerStrip is the whole
// classifyEcg path (validation, resampling, QRS detection, normalisation, inference) on raw recordings.
import os from "node:os";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { getConfig } from "../lib/config";
import { locateDataset, readCincReference, readWfdbRecord, resolveDataDir } from "../lib/datasets";
import { classifyEcg } from "../lib/detect/ecg/classify-ecg";
import { loadEcgModel } from "../lib/detect/ecg/load-ecg-model";
import { loadRealEcgData, VE_WINDOW_MIN_BEATS, type TSplit } from "../lib/detect/ecg/train/real-ecg-data";
import { pickEcgClass } from "../lib/detect/ecg/ecg-classes";
import { scoreRealEcg } from "../lib/detect/ecg/train/score-real-ecg";
import { getCincSplit } from "../lib/detect/ecg/train/real-ecg-data";
import { MODEL_INPUT_LENGTH, RR_FEATURE_COUNT } from "../lib/detect/ecg/ecg-input-spec";

const TARGETS = { afSensitivity: 0.95, afSpecificity: 0.97, normalF1: 0.9, challengeF1: 0.8, veSensitivity: 0.9 } as const;
const TIMED_STRIPS = 100;

const { values } = parseArgs({ options: { data: { type: "string" }, all: { type: "boolean", default: false }, "model-dir": { type: "string" } }, strict: true });
const options = z.object({ data: z.string().optional(), all: z.boolean(), "model-dir": z.string().optional() }).parse(values);

const startedAt = performance.now();
const step = (line: string) => console.log(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${line}`);

const dataDir = resolveDataDir(options.data, getConfig().PULSEGUARD_DATA_DIR);
if (!dataDir) {
  console.error("eval:ecg needs the recordings: pass --data DIR or set PULSEGUARD_DATA_DIR (the README says where to download them).");
  process.exit(2);
}
const cincDir = locateDataset({ dataDir, dataset: "cinc2017" });
const mitdbDir = locateDataset({ dataDir, dataset: "mitdb" });
if (!cincDir && !mitdbDir) {
  console.error(`${dataDir} holds neither training2017(.zip) nor mit-bih-arrhythmia-database-1.0.0(.zip).`);
  process.exit(2);
}
const splits: TSplit[] = options.all ? ["train", "validation", "test"] : ["test"];
const loaded = await loadEcgModel({ modelDir: options["model-dir"] });
console.log(`model ${loaded.modelVersion} (weights sha256 ${loaded.manifest.sha256.slice(0, 12)}..., ${loaded.manifest.sizeBytes} bytes), decision offsets ${JSON.stringify(loaded.manifest.decisionOffsets ?? {})}`);
console.log(`machine: ${os.cpus()[0]?.model.trim() ?? "unknown"} x ${os.cpus().length}, node ${process.version}, tfjs ${tf.version.tfjs} on ${tf.getBackend()}`);
console.log(`data: ${dataDir}; rows: ${options.all ? "every recording and window (--all)" : "the test split"}`);

const data = await loadRealEcgData({ cincDir, mitdbDir, splits, augment: false, onProgress: step });
step(`${data.dataset.count} rows preprocessed; classifying ...`);
const offsets = loaded.manifest.decisionOffsets ?? {};
const predicted = data.meta.map((_, index) =>
  pickEcgClass(
    loaded.predict(data.dataset.signals.subarray(index * MODEL_INPUT_LENGTH, (index + 1) * MODEL_INPUT_LENGTH), data.dataset.rrFeatures.subarray(index * RR_FEATURE_COUNT, (index + 1) * RR_FEATURE_COUNT)),
    offsets,
  ),
);
const score = scoreRealEcg({ rows: data.meta, predicted });

// The whole product path on raw recordings, timed per strip.
let timedMs = 0;
let timed = 0;
if (cincDir) {
  const references = readCincReference(cincDir).filter((reference) => options.all || getCincSplit(reference.record) === "test").slice(0, TIMED_STRIPS);
  for (const reference of references) {
    const recording = await readWfdbRecord({ recordPath: reference.recordPath });
    const started = performance.now();
    classifyEcg({ loaded, input: { samples: recording.signals[0], sampleRateHz: recording.sampleRateHz } });
    timedMs += performance.now() - started;
    timed += 1;
  }
}
const msPerStrip = timed > 0 ? Math.round((timedMs / timed) * 100) / 100 : 0;

const verdict = (value: number, target: number) => (value >= target ? "PASS" : "MISS");
const order = ["N", "A", "O", "~"];
console.log("");
console.log(`CinC 2017 recordings: ${score.records}; confusion (rows: reference, columns: model)`);
console.log(`        ${order.map((label) => label.padStart(7)).join("")}`);
score.cincConfusion.forEach((line, row) => console.log(`  ${order[row]!.padEnd(6)}${line.map((value) => String(value).padStart(7)).join("")}`));
console.log("");
const rows: [string, number, number | null][] = [
  ["AF sensitivity", score.afSensitivity, TARGETS.afSensitivity],
  ["AF specificity (vs N and O)", score.afSpecificity, TARGETS.afSpecificity],
  ["AF F1", score.afF1, null],
  ["normal F1", score.normalF1, TARGETS.normalF1],
  ["other rhythm F1", score.otherF1, null],
  ["challenge F1 (mean of N, A, O)", score.challengeF1, TARGETS.challengeF1],
  ["noise recall", score.noiseRecall, null],
  [`VE sensitivity (MIT-BIH windows with >= ${VE_WINDOW_MIN_BEATS} VE beats: ${score.veWindows})`, score.veSensitivity, TARGETS.veSensitivity],
  ["MIT-BIH sinus windows called VE", score.veFalsePositiveShare, null],
  ["MIT-BIH AF windows called AF", score.mitdbAfSensitivity, null],
];
for (const [name, value, target] of rows) console.log(`  ${name.padEnd(66)} ${value.toFixed(3)}${target === null ? "" : `  target >= ${target}: ${verdict(value, target)}`}`);
console.log(`  ${"weights".padEnd(66)} ${loaded.manifest.sizeBytes} bytes (target < 200 KB: ${loaded.manifest.sizeBytes < 200 * 1024 ? "PASS" : "MISS"})`);
console.log(`  ${`classifyEcg per strip (mean of ${timed} recordings)`.padEnd(66)} ${msPerStrip} ms (target < 5 ms: ${msPerStrip < 5 ? "PASS" : "MISS"})`);
console.log(
  `RESULT ${JSON.stringify({
    eval: "ecg-real",
    split: options.all ? "all" : "test",
    records: score.records,
    mitdbWindows: score.mitdbWindows,
    afSensitivity: score.afSensitivity,
    afSpecificity: score.afSpecificity,
    afF1: score.afF1,
    normalF1: score.normalF1,
    otherF1: score.otherF1,
    challengeF1: score.challengeF1,
    noiseRecall: score.noiseRecall,
    veSensitivity: score.veSensitivity,
    veWindows: score.veWindows,
    weightsBytes: loaded.manifest.sizeBytes,
    msPerStrip,
    modelVersion: loaded.modelVersion,
  })}`,
);
loaded.dispose();
