// Server-only. A fixed pool of worker threads for CPU-heavy work (ECG inference, HE evaluation) so the
// event loop that answers devices and clinicians never blocks. Bounded queue (back-pressure instead of
// unbounded memory), a deadline per task (a stuck worker is replaced), a crashed worker is replaced and
// only its own task fails.
import { pathToFileURL } from "node:url";
import { Worker, type ResourceLimits } from "node:worker_threads";
import { AppError, type TErrorCode, ERROR_STATUS } from "../errors";
import { getLogger } from "../log/logger";
import { ZWorkerToPoolMessageSchema, type TWorkerError } from "./protocol";

export type TWorkerPoolOptions = {
  /** For logs and errors, e.g. "ecg-inference". */
  name: string;
  /** Absolute path of the worker entry; a .ts file is run through tsx. */
  workerFile: string;
  size: number;
  /** Tasks waiting for a worker beyond which run() refuses with UNAVAILABLE and a retry-after. */
  maxQueued: number;
  taskTimeoutMs: number;
  workerData?: unknown;
  resourceLimits?: ResourceLimits;
};

export type TWorkerPoolStats = { size: number; busy: number; queued: number; completed: number; failed: number; restarts: number };

export type TWorkerPool<TRequest, TResult> = {
  run(request: TRequest, options?: { transfer?: Transferable[] }): Promise<TResult>;
  /** Resolves when every worker has finished its init; rejects with the init error if one failed. */
  ready(): Promise<void>;
  stats(): TWorkerPoolStats;
  /** Refuses new tasks, lets running ones finish, then stops the threads. */
  close(): Promise<void>;
};

type TTask = {
  id: number;
  request: unknown;
  transfer: Transferable[];
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

type TSlot = {
  worker: Worker;
  isReady: boolean;
  task: TTask | undefined;
  timer: NodeJS.Timeout | undefined;
};

function isErrorCode(code: string | undefined): code is TErrorCode {
  return code !== undefined && code in ERROR_STATUS;
}

function fromWorkerError(error: TWorkerError): Error {
  if (isErrorCode(error.code)) return new AppError(error.code, { message: error.message, fields: error.fields });
  const failure = new Error(error.message);
  failure.name = error.name;
  return failure;
}

export function createWorkerPool<TRequest, TResult>(options: TWorkerPoolOptions): TWorkerPool<TRequest, TResult> {
  const log = getLogger().child({ pool: options.name });
  const slots = new Set<TSlot>();
  const queue: TTask[] = [];
  let nextTaskId = 1;
  let isClosing = false;
  let initError: Error | undefined;
  const counters = { completed: 0, failed: 0, restarts: 0 };
  let readyWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let drainWaiters: (() => void)[] = [];

  // On Node 20 `--import tsx` in a worker's execArgv does not reach the worker's own entry module, so
  // a TypeScript entry is started by a one-line ES module that registers tsx's loader first.
  const isTypeScript = options.workerFile.endsWith(".ts");
  const entry = isTypeScript
    ? `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then(({ register }) => { register(); return import(${JSON.stringify(pathToFileURL(options.workerFile).href)}); });`
    : options.workerFile;

  function settleReadyWaiters() {
    if (initError) {
      for (const waiter of readyWaiters) waiter.reject(initError);
      readyWaiters = [];
    } else if ([...slots].every((slot) => slot.isReady)) {
      for (const waiter of readyWaiters) waiter.resolve();
      readyWaiters = [];
    }
  }

  function failQueued() {
    for (const task of queue.splice(0)) task.reject(new AppError("UNAVAILABLE", { message: `${options.name} is unavailable` }));
  }

  function finishTask(slot: TSlot) {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.task = undefined;
    // An idle worker must not keep a CLI or a test process alive.
    slot.worker.unref();
  }

  function dispatch() {
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (!slot.isReady || slot.task) continue;
      const task = queue.shift()!;
      slot.task = task;
      slot.worker.ref();
      slot.timer = setTimeout(() => {
        if (slot.task !== task) return;
        log.warn({ taskId: task.id, timeoutMs: options.taskTimeoutMs }, "worker task timed out; replacing the worker");
        counters.failed += 1;
        task.reject(new AppError("UNAVAILABLE", { message: `${options.name}: task timed out`, retryAfterS: 1 }));
        slot.task = undefined;
        replace(slot);
      }, options.taskTimeoutMs);
      try {
        slot.worker.postMessage({ type: "task", taskId: task.id, request: task.request }, task.transfer as never[]);
      } catch (error) {
        // The request could not be cloned (a function, a symbol): the caller's mistake, not the worker's.
        finishTask(slot);
        counters.failed += 1;
        task.reject(new AppError("BAD_REQUEST", { message: `${options.name}: request cannot be sent to a worker (${(error as Error).name})` }));
      }
    }
    if (isClosing && queue.length === 0 && [...slots].every((slot) => !slot.task)) {
      for (const waiter of drainWaiters) waiter();
      drainWaiters = [];
    }
  }

  function replace(slot: TSlot) {
    slots.delete(slot);
    if (slot.timer) clearTimeout(slot.timer);
    void slot.worker.terminate();
    if (isClosing || initError) {
      dispatch();
      return;
    }
    counters.restarts += 1;
    spawn();
  }

  function spawn() {
    const worker = new Worker(entry, {
      eval: isTypeScript,
      workerData: options.workerData,
      resourceLimits: options.resourceLimits,
      name: options.name,
    });
    const slot: TSlot = { worker, isReady: false, task: undefined, timer: undefined };
    slots.add(slot);
    worker.unref();

    worker.on("message", (raw: unknown) => {
      const parsed = ZWorkerToPoolMessageSchema.safeParse(raw);
      if (!parsed.success) {
        log.error("worker sent a malformed message");
        return;
      }
      const message = parsed.data;
      if (message.type === "ready") {
        slot.isReady = true;
        settleReadyWaiters();
        dispatch();
        return;
      }
      if (message.type === "init-failed") {
        initError = fromWorkerError(message.error);
        log.error({ errorName: message.error.name }, "worker failed to start");
        failQueued();
        settleReadyWaiters();
        replace(slot);
        return;
      }
      const task = slot.task;
      if (!task || task.id !== message.taskId) return;
      finishTask(slot);
      if (message.type === "result") {
        counters.completed += 1;
        task.resolve(message.result);
      } else {
        counters.failed += 1;
        task.reject(fromWorkerError(message.error));
      }
      dispatch();
    });

    let startupError: Error | undefined;
    worker.on("error", (error) => {
      if (!slot.isReady) startupError = error;
      log.error({ errorName: error.name }, "worker crashed");
    });

    worker.on("exit", (exitCode) => {
      if (!slots.has(slot)) return;
      if (!slot.isReady && !isClosing) {
        // A worker that dies before it is ready (its entry failed to load) would die again: stop here.
        initError = startupError ?? new Error(`${options.name} worker exited during start-up (code ${exitCode})`);
        failQueued();
        settleReadyWaiters();
        slots.delete(slot);
        return;
      }
      const task = slot.task;
      if (task) {
        counters.failed += 1;
        task.reject(new AppError("INTERNAL", { message: `${options.name}: worker exited during the task` }));
      }
      if (!isClosing) log.warn({ exitCode }, "worker exited; replacing it");
      replace(slot);
    });
  }

  for (let index = 0; index < options.size; index += 1) spawn();

  return {
    run(request, runOptions = {}) {
      if (isClosing) return Promise.reject(new AppError("UNAVAILABLE", { message: `${options.name} is shutting down`, retryAfterS: 1 }));
      if (initError) return Promise.reject(new AppError("UNAVAILABLE", { message: `${options.name} is unavailable` }));
      if (queue.length >= options.maxQueued) {
        return Promise.reject(new AppError("UNAVAILABLE", { message: `${options.name} is busy`, retryAfterS: 1 }));
      }
      return new Promise<TResult>((resolve, reject) => {
        queue.push({ id: nextTaskId++, request, transfer: runOptions.transfer ?? [], resolve: resolve as (value: unknown) => void, reject });
        dispatch();
      });
    },
    ready() {
      return new Promise<void>((resolve, reject) => {
        readyWaiters.push({ resolve, reject });
        settleReadyWaiters();
      });
    },
    stats() {
      let busy = 0;
      for (const slot of slots) if (slot.task) busy += 1;
      return { size: slots.size, busy, queued: queue.length, ...counters };
    },
    async close() {
      if (!isClosing) {
        isClosing = true;
        for (const task of queue.splice(0)) task.reject(new AppError("UNAVAILABLE", { message: `${options.name} is shutting down`, retryAfterS: 1 }));
      }
      await new Promise<void>((resolve) => {
        drainWaiters.push(resolve);
        dispatch();
      });
      const workers = [...slots].map((slot) => slot.worker);
      slots.clear();
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
