// Worker entry of the ECG inference pool (lib/detect/ecg/create-ecg-classifier-pool.ts): loads and
// verifies the model once (tfjs and its WASM backend load with it), then classifies one strip per task.
import { workerData } from "node:worker_threads";
import { classifyEcg, loadEcgModel, ZEcgWorkerDataSchema, ZEcgWorkerRequestSchema } from "../lib/detect/ecg/ecg-worker";
import { AppError } from "../lib/errors";
import { serveWorkerTasks } from "../lib/worker-pool";

// The watch's strip: what the first real request will look like.
const WARM_UP_SAMPLE_RATE_HZ = 250;
const WARM_UP_DURATION_S = 30;

serveWorkerTasks(async () => {
  const { modelDir, allowCrashForTesting } = ZEcgWorkerDataSchema.parse(workerData ?? {});
  const loaded = await loadEcgModel({ modelDir });
  // A few inferences before the pool reports ready: the first ones through tfjs's WASM kernels and the
  // preprocessing take ~15x longer (85-107 ms against 6 ms measured), and the first strip is often an alert.
  const warmUp = new Float32Array(WARM_UP_SAMPLE_RATE_HZ * WARM_UP_DURATION_S);
  for (let run = 0; run < 3; run += 1) classifyEcg({ loaded, input: { samples: warmUp, sampleRateHz: WARM_UP_SAMPLE_RATE_HZ } });
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
