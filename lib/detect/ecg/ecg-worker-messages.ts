// The messages between createEcgClassifierPool and workers/ecg-inference-worker.ts, parsed on both sides.
import { z } from "zod";

export const ZEcgWorkerDataSchema = z.object({
  modelDir: z.string().optional(),
  /**
   * Lets a "crash-for-testing" request end the worker thread, so tests can check that the pool replaces
   * a crashed worker. Only the test entry point (startEcgClassifierPool) can set it; the public
   * createEcgClassifierPool never does.
   */
  allowCrashForTesting: z.boolean().default(false),
});
export type TEcgWorkerData = z.input<typeof ZEcgWorkerDataSchema>;

export const ZEcgWorkerRequestSchema = z.discriminatedUnion("type", [
  // The samples are validated in full by classifyEcg (parseEcgInput); here only the envelope.
  z.object({ type: z.literal("classify"), samples: z.unknown(), sampleRateHz: z.unknown() }),
  z.object({ type: z.literal("crash-for-testing") }),
]);
export type TEcgWorkerRequest = z.infer<typeof ZEcgWorkerRequestSchema>;

export { ZEcgClassificationSchema } from "./ecg-classes";
