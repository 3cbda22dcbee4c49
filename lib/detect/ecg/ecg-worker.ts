// Server-only. What workers/ecg-inference-worker.ts needs from this module, in one import.
export { classifyEcg } from "./classify-ecg";
export { ZEcgWorkerDataSchema, ZEcgWorkerRequestSchema } from "./ecg-worker-messages";
export { loadEcgModel } from "./load-ecg-model";
