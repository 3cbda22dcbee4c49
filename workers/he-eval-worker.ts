// HE evaluation worker: loads node-seal and the committed forecast weights once, then evaluates
// encrypted forecasts (lib/he/handle-he-eval-request.ts). Started by lib/he/he-eval-pool.ts.
import { loadForecastWeights } from "../lib/glucose-forecast/model-files";
import { createHeEvalHandler } from "../lib/he/handle-he-eval-request";
import { createSealInstance } from "../lib/he/load-seal";
import { serveWorkerTasks, withTransfer } from "../lib/worker-pool";

serveWorkerTasks(async () => {
  const { weights } = loadForecastWeights();
  const handler = createHeEvalHandler({ createSeal: createSealInstance, weights });
  // Fail start-up, not the first request, if node-seal cannot load.
  await handler.ready();
  return async (request: unknown) => {
    const result = await handler.handle(request);
    return result.type === "forecast" ? withTransfer(result, [result.ciphertext.buffer as ArrayBuffer]) : result;
  };
});
