import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import { createWorkerPool, type TWorkerPool } from "../../lib/worker-pool";

const workerFile = path.resolve(import.meta.dirname, "../fixtures/pool-test-worker.ts");
type TResponse = { value: number; startedAt: number };

const pools: TWorkerPool<unknown, unknown>[] = [];
function createPool(overrides: { size?: number; maxQueued?: number; taskTimeoutMs?: number; workerData?: unknown } = {}) {
  const pool = createWorkerPool<unknown, TResponse>({
    name: "pool-test",
    workerFile,
    size: overrides.size ?? 2,
    maxQueued: overrides.maxQueued ?? 100,
    taskTimeoutMs: overrides.taskTimeoutMs ?? 10_000,
    workerData: overrides.workerData,
  });
  pools.push(pool as TWorkerPool<unknown, unknown>);
  return pool;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

describe("createWorkerPool", () => {
  it("answers many concurrent tasks, each with its own result", async () => {
    const pool = createPool();
    await pool.ready();
    const results = await Promise.all(Array.from({ length: 40 }, (_, index) => pool.run({ kind: "echo", value: index })));
    expect(results.map((result) => result.value)).toEqual(Array.from({ length: 40 }, (_, index) => index));
    expect(pool.stats()).toMatchObject({ size: 2, busy: 0, queued: 0, completed: 40, failed: 0 });
  });

  it("moves buffers across threads both ways", async () => {
    const pool = createWorkerPool<unknown, Float64Array>({ name: "pool-test", workerFile, size: 1, maxQueued: 4, taskTimeoutMs: 10_000 });
    pools.push(pool as TWorkerPool<unknown, unknown>);
    const buffer = new Float64Array([1, 2, 3]);
    const result = await pool.run({ kind: "double-buffer", buffer }, { transfer: [buffer.buffer] });
    expect(Array.from(result)).toEqual([2, 4, 6]);
    expect(buffer.byteLength).toBe(0);
  });

  it("passes AppErrors through with their code and fields, and hides other errors' messages", async () => {
    const pool = createPool({ size: 1 });
    const appError = await pool.run({ kind: "app-error" }).catch((error: unknown) => error);
    expect(appError).toBeInstanceOf(AppError);
    expect(appError).toMatchObject({ code: "VALIDATION_FAILED", fields: [{ path: "samples", message: "too short" }] });

    const invalid = await pool.run({ kind: "nope" }).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ code: "VALIDATION_FAILED" });

    const libraryError = await pool.run({ kind: "library-error" }).catch((error: unknown) => error);
    expect(libraryError).toMatchObject({ name: "RangeError", message: "worker task failed" });
    expect(String((libraryError as Error).message)).not.toContain("123");

    expect((await pool.run({ kind: "echo", value: 7 })).value).toBe(7);
  });

  it("fails only the crashing task and replaces the worker", async () => {
    const pool = createPool({ size: 1 });
    const first = await pool.run({ kind: "echo", value: 1 });
    const crash = await pool.run({ kind: "crash" }).catch((error: unknown) => error);
    expect(crash).toMatchObject({ code: "INTERNAL" });
    const after = await pool.run({ kind: "echo", value: 2 });
    expect(after.value).toBe(2);
    expect(after.startedAt).toBeGreaterThanOrEqual(first.startedAt);
    expect(pool.stats().restarts).toBe(1);
  });

  it("cuts off a task past its deadline, replaces the stuck worker and keeps serving", async () => {
    const pool = createPool({ size: 1, taskTimeoutMs: 300 });
    await pool.ready();
    const stuck = await pool.run({ kind: "hang", ms: 5_000 }).catch((error: unknown) => error);
    expect(stuck).toMatchObject({ code: "UNAVAILABLE", retryAfterS: 1 });
    expect((await pool.run({ kind: "echo", value: 5 })).value).toBe(5);
    expect(pool.stats().restarts).toBe(1);
  });

  it("refuses work beyond the queue bound instead of growing without limit", async () => {
    const pool = createPool({ size: 1, maxQueued: 2 });
    await pool.ready();
    const running = [0, 1, 2].map((value) => pool.run({ kind: "slow", ms: 100, value }));
    const refused = await pool.run({ kind: "echo", value: 9 }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "UNAVAILABLE", retryAfterS: 1 });
    expect((await Promise.all(running)).map((result) => result.value)).toEqual([0, 1, 2]);
  });

  it("reports an init failure from ready() and refuses tasks, without respawning in a loop", async () => {
    const pool = createPool({ size: 2, workerData: { failInit: true } });
    await expect(pool.ready()).rejects.toThrow("model file is missing");
    await expect(pool.run({ kind: "echo", value: 1 })).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(pool.stats().restarts).toBe(0);
  });

  it("stops, instead of respawning, when the worker entry cannot even load", async () => {
    const pool = createWorkerPool<unknown, TResponse>({
      name: "pool-test",
      workerFile: path.resolve(import.meta.dirname, "../fixtures/no-such-worker.ts"),
      size: 1,
      maxQueued: 4,
      taskTimeoutMs: 10_000,
    });
    pools.push(pool as TWorkerPool<unknown, unknown>);
    const queued = pool.run({ kind: "echo", value: 1 }).catch((error: unknown) => error);
    await expect(pool.ready()).rejects.toThrow();
    expect(await queued).toMatchObject({ code: "UNAVAILABLE" });
    expect(pool.stats()).toMatchObject({ size: 0, restarts: 0 });
  });

  it("finishes running tasks on close and refuses new ones", async () => {
    const pool = createPool({ size: 1 });
    await pool.ready();
    const running = pool.run({ kind: "slow", ms: 150, value: 3 });
    const queued = pool.run({ kind: "echo", value: 4 }).catch((error: unknown) => error);
    await pool.close();
    expect((await running).value).toBe(3);
    expect(await queued).toMatchObject({ code: "UNAVAILABLE" });
    await expect(pool.run({ kind: "echo", value: 5 })).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});
