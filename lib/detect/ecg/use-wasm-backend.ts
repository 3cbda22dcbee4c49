// Server-only. Puts this thread's tfjs on the WASM backend with one thread, once.
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

let ready: Promise<void> | undefined;

/**
 * One WASM thread per classifier: parallelism comes from the worker pool (one strip per worker), and
 * each worker must stay on its one core rather than compete with the event loop and the other workers.
 */
export function useWasmBackend(): Promise<void> {
  ready ??= (async () => {
    // The package's .wasm files sit beside its Node entry point; tfjs would otherwise look for them
    // relative to the page, which does not exist here.
    const entry = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(`${path.dirname(entry)}${path.sep}`);
    setThreadsCount(1);
    const isSet = await tf.setBackend("wasm");
    if (!isSet) throw new Error("tfjs WASM backend failed to initialise");
    await tf.ready();
  })();
  ready.catch(() => (ready = undefined));
  return ready;
}
