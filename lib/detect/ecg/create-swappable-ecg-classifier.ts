// Server-only. The ECG classifier the detection service holds, whose model can be replaced while it runs:
// a new version gets its own worker pool, which must load and verify the artifact before any strip goes
// to it; then strips go to the new pool and the old one finishes what it holds and closes. A version
// that fails verification is not swapped in, and the running one keeps serving.
import type { TEcgClassifier } from "../cascade/ecg-classification";
import type { TEcgClassifierPool } from "./create-ecg-classifier-pool";

export type TSwappableEcgClassifier = TEcgClassifier & {
  swap(next: TEcgClassifierPool): Promise<void>;
};

export function createSwappableEcgClassifier(initial: TEcgClassifierPool): TSwappableEcgClassifier {
  let current = initial;
  let closed = false;
  return {
    classify: (input) => current.classify(input),
    async swap(next) {
      try {
        await next.ready();
      } catch (error) {
        await next.close().catch(() => undefined);
        throw error;
      }
      if (closed) {
        await next.close();
        return;
      }
      const previous = current;
      current = next;
      // Strips already queued on the old pool are classified by it (close() would refuse the queued ones).
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (previous.stats().queued > 0 || previous.stats().busy > 0)) await new Promise((resolve) => setTimeout(resolve, 50));
      await previous.close();
    },
    async close() {
      closed = true;
      await current.close();
    },
  };
}
