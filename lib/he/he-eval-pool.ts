// Server-only. The worker pool that evaluates encrypted forecasts. server.ts starts it (startHeEvalPool)
// and closes it at shutdown (closeHeEvalPool); it lives on globalThis because Next's route handlers are
// a separate module graph in the same process. Without server.ts (tests, scripts) the first use
// creates it lazily.
import os from "node:os";
import path from "node:path";
import { createWorkerPool, type TWorkerPool } from "../worker-pool";
import type { THeEvalRequest, THeEvalResult } from "./he-eval-protocol";

export type THeEvalPool = TWorkerPool<THeEvalRequest, THeEvalResult>;

// Relative to the working directory, not this file: in a Next build this module lives under .next/.
export const HE_EVAL_WORKER_FILE = path.resolve(process.cwd(), "workers/he-eval-worker.ts");
// One forecast is ~10-20 ms of one core; leave a core for the event loop and the database.
const DEFAULT_POOL_SIZE = Math.max(1, Math.min(2, os.availableParallelism() - 1));
// Beyond ~1 s of queued work a client is better told to retry.
const MAX_QUEUED = 64;
const TASK_TIMEOUT_MS = 10_000;

const holder = globalThis as unknown as { __pulseguardHeEvalPool?: THeEvalPool };

export function createHeEvalPool(options: { size?: number; workerFile?: string } = {}): THeEvalPool {
  return createWorkerPool<THeEvalRequest, THeEvalResult>({
    name: "he-eval",
    workerFile: options.workerFile ?? HE_EVAL_WORKER_FILE,
    size: options.size ?? DEFAULT_POOL_SIZE,
    maxQueued: MAX_QUEUED,
    taskTimeoutMs: TASK_TIMEOUT_MS,
  });
}

/** Creates the pool once per process and waits until its workers have loaded node-seal and the model. */
export async function startHeEvalPool(options: { size?: number } = {}): Promise<THeEvalPool> {
  holder.__pulseguardHeEvalPool ??= createHeEvalPool(options);
  await holder.__pulseguardHeEvalPool.ready();
  return holder.__pulseguardHeEvalPool;
}

export function getHeEvalPool(): THeEvalPool {
  holder.__pulseguardHeEvalPool ??= createHeEvalPool();
  return holder.__pulseguardHeEvalPool;
}

export async function closeHeEvalPool(): Promise<void> {
  const pool = holder.__pulseguardHeEvalPool;
  holder.__pulseguardHeEvalPool = undefined;
  await pool?.close();
}
