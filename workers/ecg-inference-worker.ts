// Worker entry of the ECG inference pool (lib/detect/ecg/create-ecg-classifier-pool.ts): loads and
// verifies the model once (tfjs and its WASM backend load with it), then classifies one strip per task.
import { workerData } from "node:worker_threads";
import { classifyEcg, loadEcgModel, ZEcgWorkerDataSchema, ZEcgWorkerRequestSchema } from "../lib/detect/ecg/ecg-worker";
import { AppError } from "../lib/errors";
import { serveWorkerTasks } from "../lib/worker-pool";

serveWorkerTasks(async () => {
  const { modelDir, allowCrashForTesting } = ZEcgWorkerDataSchema.parse(workerData ?? {});
  const loaded = await loadEcgModel({ modelDir });
  return (raw) => {
    const request = ZEcgWorkerRequestSchema.parse(raw);
    if (request.type === "crash-for-testing") {
      if (!allowCrashForTesting) throw new AppError("BAD_REQUEST", { message: "Unknown ECG worker request" });
      process.exit(1);
    }
    // classifyEcg validates the strip itself (AppError VALIDATION_FAILED), as at every boundary.
    return classifyEcg({ loaded, input: { samples: request.samples, sampleRateHz: request.sampleRateHz } });
  };
});
