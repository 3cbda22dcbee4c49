// Server-only. The in-process classifier, for scripts, evaluation and tests. The server uses
// createEcgClassifierPool so that inference never runs on the event loop. tfjs keeps one active backend
// per thread: loading switches this thread's tfjs to WASM, which any other tfjs user on the same thread
// then shares (the pool's workers have a tfjs each, so they affect nobody).
import { AppError } from "../../errors";
import { classifyEcg, type TEcgClassification } from "./classify-ecg";
import { loadEcgModel } from "./load-ecg-model";

export type TEcgClassifier = {
  classify(input: { samples: Float32Array; sampleRateHz: number }): Promise<TEcgClassification>;
  close(): Promise<void>;
};

export async function loadEcgClassifier(options: { modelDir?: string } = {}): Promise<TEcgClassifier> {
  const loaded = await loadEcgModel(options);
  let isClosed = false;
  return {
    async classify(input) {
      if (isClosed) throw new AppError("UNAVAILABLE", { message: "ECG classifier is closed" });
      return classifyEcg({ loaded, input });
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      loaded.dispose();
    },
  };
}
