export { createWorkerPool, type TWorkerPool, type TWorkerPoolOptions, type TWorkerPoolStats } from "./create-worker-pool";
export { serveWorkerTasks, withTransfer, type TWorkerTaskHandler } from "./serve-worker-tasks";
