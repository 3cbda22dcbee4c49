// Server-only (worker threads). Simulated strips to a preprocessed dataset. Generation and preprocessing
// dominate the cost of a small training run, so they run on worker threads (workers/ecg-strip-generator-
// worker.ts), each taking every n-th spec; `workers: 0` renders on this thread (tests, tiny sets).
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { ECG_CLASSES, SIM_RHYTHM_CLASS } from "../ecg-classes";
import { MODEL_INPUT_LENGTH, RR_FEATURE_COUNT } from "../ecg-input-spec";
import { createEcgDataset, type TEcgDataset } from "./ecg-dataset";
import { ZGeneratedEcgStripSchema, type TEcgStripSpec } from "./ecg-strip-spec";
import { renderEcgStrip } from "./render-ecg-strip";

const WORKER_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../workers/ecg-strip-generator-worker.ts");
const PROGRESS_INTERVAL_MS = 5000;

export type TDatasetProgress = { done: number; total: number; elapsedS: number; stripsPerS: number; etaS: number };

/**
 * `execArgv: ["--import", "tsx"]` does not reach worker threads on Node 20 (the .ts entry fails with
 * ERR_UNKNOWN_FILE_EXTENSION), so a small ESM shim registers tsx's loader inside the worker before
 * importing the TypeScript entry.
 */
function startGeneratorWorker(chunk: TEcgStripSpec[]): Worker {
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const shim = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(WORKER_FILE).href)}); })`;
  return new Worker(shim, { eval: true, workerData: chunk });
}

/** The strips of `specs` (spec.index is the row), labels in ECG_CLASSES order (SIM_RHYTHM_CLASS: simulated tachycardia and bradycardia are sinus rhythm); onProgress at most every 5 s. */
export async function generateEcgDataset(options: { specs: TEcgStripSpec[]; workers: number; onProgress?: (progress: TDatasetProgress) => void }): Promise<TEcgDataset> {
  const { specs } = options;
  const dataset = createEcgDataset(specs.length);
  specs.forEach((spec) => (dataset.labels[spec.index] = ECG_CLASSES.indexOf(SIM_RHYTHM_CLASS[spec.rhythm])));
  const t0 = performance.now();
  let done = 0;
  let lastReport = t0;
  const store = (index: number, signal: Float32Array, rrFeatures: Float32Array) => {
    dataset.signals.set(signal, index * MODEL_INPUT_LENGTH);
    dataset.rrFeatures.set(rrFeatures, index * RR_FEATURE_COUNT);
    done += 1;
    const now = performance.now();
    if (options.onProgress && now - lastReport > PROGRESS_INTERVAL_MS && done >= 10) {
      lastReport = now;
      const elapsedS = (now - t0) / 1000;
      const stripsPerS = done / elapsedS;
      options.onProgress({ done, total: specs.length, elapsedS, stripsPerS, etaS: (specs.length - done) / stripsPerS });
    }
  };
  if (options.workers < 1) {
    for (const spec of specs) {
      const { signal, rrFeatures } = renderEcgStrip(spec);
      store(spec.index, signal, rrFeatures);
    }
    return dataset;
  }
  const workerCount = Math.min(options.workers, Math.max(1, specs.length));
  const chunks = Array.from({ length: workerCount }, (_, worker) => specs.filter((_, index) => index % workerCount === worker));
  await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise<void>((resolve, reject) => {
          const worker = startGeneratorWorker(chunk);
          let received = 0;
          worker.on("message", (message: unknown) => {
            const { index, signal, rrFeatures } = ZGeneratedEcgStripSchema.parse(message);
            store(index, signal, rrFeatures);
            received += 1;
          });
          worker.on("error", reject);
          worker.on("exit", (code) => (code === 0 && received === chunk.length ? resolve() : reject(new Error(`generator worker exited with ${code} after ${received}/${chunk.length}`))));
        }),
    ),
  );
  return dataset;
}
