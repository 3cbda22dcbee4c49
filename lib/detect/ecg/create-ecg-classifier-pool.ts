// Server-only. ECG inference on worker threads: each worker loads tfjs, the WASM backend and the verified
// model once, and classifies one strip at a time on one core, so the event loop never runs a model.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AppError } from "../../errors";
import { createWorkerPool, type TWorkerPoolStats } from "../../worker-pool";
import type { TEcgClassification } from "./classify-ecg";
import { ZEcgClassificationSchema, type TEcgWorkerData, type TEcgWorkerRequest } from "./ecg-worker-messages";
import type { TEcgClassifier } from "./load-ecg-classifier";
import { parseEcgInput } from "./parse-ecg-input";

const WORKER_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../workers/ecg-inference-worker.ts");

export type TEcgClassifierPoolOptions = { size: number; maxQueued: number; taskTimeoutMs: number; modelDir?: string };

export type TEcgClassifierPool = TEcgClassifier & {
  /** Resolves once every worker has loaded and verified the model; rejects with the load error. */
  ready(): Promise<void>;
  stats(): TWorkerPoolStats;
  /** Test-only (see ZEcgWorkerDataSchema): asks one worker to exit mid-task. */
  crashWorkerForTesting(): Promise<void>;
};

export function createEcgClassifierPool(options: TEcgClassifierPoolOptions): TEcgClassifier {
  const pool = startEcgClassifierPool(options, { modelDir: options.modelDir });
  return { classify: (input) => pool.classify(input), close: () => pool.close() };
}

/** The pool with its extras (ready, the crash hook when workerData allows it); for tests and benchmarks. */
export function startEcgClassifierPool(options: TEcgClassifierPoolOptions, workerData: TEcgWorkerData = {}): TEcgClassifierPool {
  const pool = createWorkerPool<TEcgWorkerRequest, unknown>({
    name: "ecg-inference",
    workerFile: WORKER_FILE,
    size: options.size,
    maxQueued: options.maxQueued,
    taskTimeoutMs: options.taskTimeoutMs,
    workerData: { ...workerData, modelDir: options.modelDir ?? workerData.modelDir },
  });
  return {
    async classify(input) {
      // Validated here as well as in the worker: a malformed or oversized strip is refused before it is
      // copied to another thread. The copy is transferred, so the caller's array stays usable.
      const { samples, sampleRateHz } = parseEcgInput(input);
      const copy = Float32Array.from(samples);
      const result = await pool.run({ type: "classify", samples: copy, sampleRateHz }, { transfer: [copy.buffer] });
      const parsed = ZEcgClassificationSchema.safeParse(result);
      if (!parsed.success) throw new AppError("INTERNAL", { message: "ECG inference worker returned a malformed result" });
      return parsed.data as TEcgClassification;
    },
    close: () => pool.close(),
    ready: () => pool.ready(),
    stats: () => pool.stats(),
    async crashWorkerForTesting() {
      await pool.run({ type: "crash-for-testing" }).catch(() => undefined);
    },
  };
}
