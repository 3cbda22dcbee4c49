// Server-only. The worker side of a pool: `init` runs once per worker (load tfjs, node-seal, model
// weights), then every task message is answered by the handler it returns, one at a time.
import { parentPort } from "node:worker_threads";
import { ZodError } from "zod";
import { isAppError } from "../errors";
import { ZPoolToWorkerMessageSchema, type TWorkerError, type TWorkerToPoolMessage } from "./protocol";

export type TWorkerTaskHandler = (request: unknown) => unknown;
export type TWorkerTaskResult = { result: unknown; transfer: Transferable[] };

/** Lets a handler hand buffers back without copying them. */
export function withTransfer(result: unknown, transfer: Transferable[]): TWorkerTaskResult & { __withTransfer: true } {
  return { result, transfer, __withTransfer: true };
}

function isWithTransfer(value: unknown): value is TWorkerTaskResult {
  return typeof value === "object" && value !== null && "__withTransfer" in value;
}

// AppErrors and validation failures cross the thread with their code and fields; anything else is
// reported by name only, since library messages can quote the data they choked on.
function toWorkerError(error: unknown): TWorkerError {
  if (isAppError(error)) return { name: error.name, message: error.message, code: error.code, fields: error.fields };
  if (error instanceof ZodError) {
    return {
      name: "ZodError",
      message: "invalid worker request",
      code: "VALIDATION_FAILED",
      fields: error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    };
  }
  return { name: error instanceof Error ? error.name : "Error", message: "worker task failed" };
}

export function serveWorkerTasks(init: () => TWorkerTaskHandler | Promise<TWorkerTaskHandler>): void {
  const port = parentPort;
  if (!port) throw new Error("serveWorkerTasks must run inside a worker thread");
  const post = (message: TWorkerToPoolMessage, transfer: Transferable[] = []) => port.postMessage(message, transfer as never[]);

  void (async () => {
    let handler: TWorkerTaskHandler;
    try {
      handler = await init();
    } catch (error) {
      const reported = toWorkerError(error);
      // Start-up failures (a missing or tampered model file) are configuration problems: say what.
      post({ type: "init-failed", error: { ...reported, message: error instanceof Error ? error.message : reported.message } });
      return;
    }
    let chain = Promise.resolve();
    port.on("message", (raw: unknown) => {
      const parsed = ZPoolToWorkerMessageSchema.safeParse(raw);
      if (!parsed.success) return;
      const { taskId, request } = parsed.data;
      chain = chain.then(async () => {
        try {
          const output = await handler(request);
          if (isWithTransfer(output)) post({ type: "result", taskId, result: output.result }, output.transfer);
          else post({ type: "result", taskId, result: output });
        } catch (error) {
          post({ type: "error", taskId, error: toWorkerError(error) });
        }
      });
    });
    post({ type: "ready" });
  })();
}
