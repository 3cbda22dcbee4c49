// Server-only. What an HE evaluation worker does with one message; kept here so the worker file stays a
// thin shell and tests can run the same code in-process. After SEAL throws (a malformed upload), the
// SEAL instance is dropped and a fresh one built (load-seal.ts says why); the old instance's memory is
// not touched again (it may be damaged) and is reclaimed by the garbage collector.
import type { TForecastWeights } from "../glucose-forecast/linear-model";
import { createForecastEvaluator, type TForecastEvaluator } from "./create-forecast-evaluator";
import { ZHeEvalRequestSchema, type THeEvalResult } from "./he-eval-protocol";
import type { TSeal } from "./load-seal";

export type THeEvalHandler = {
  /** Resolves once the first SEAL instance is built; rejects if node-seal cannot load. */
  ready(): Promise<void>;
  handle(raw: unknown): Promise<THeEvalResult>;
  /** SEAL instances built so far (1 + replacements after malformed uploads). */
  instancesCreated(): number;
  close(): Promise<void>;
};

export function createHeEvalHandler(options: { createSeal: () => Promise<TSeal>; weights: TForecastWeights }): THeEvalHandler {
  let instances = 0;
  const build = async (): Promise<TForecastEvaluator> => {
    instances += 1;
    return createForecastEvaluator({ seal: await options.createSeal(), weights: options.weights });
  };
  let current = build();
  return {
    async ready() {
      await current;
    },
    async handle(raw) {
      const request = ZHeEvalRequestSchema.parse(raw);
      const evaluator = await current;
      try {
        if (request.type === "check-keys") return { type: "keys-ok", keyCount: evaluator.checkGaloisKeys(request.galoisKeys).keyCount };
        if (!request.galoisKeys && !evaluator.hasKeys(request.keyFingerprint)) return { type: "need-keys" };
        return { type: "forecast", ciphertext: evaluator.evaluate(request), modelVersion: options.weights.version };
      } finally {
        if (evaluator.sealErrorCount() > 0) current = build();
      }
    },
    instancesCreated: () => instances,
    async close() {
      (await current).delete();
    },
  };
}
