import { describe, expect, it } from "vitest";
import { createScreenQueue } from "@/lib/detect/service/create-screen-queue";

/** A queue whose slices hold one batch each (sliceMs 0) and whose yields run only when the test says so. */
function createManualQueue(maxBacklogSamples = 1_000) {
  const screened: string[] = [];
  const deferred: (() => void)[] = [];
  const queue = createScreenQueue<string>({ screen: (entry) => screened.push(entry), sliceMs: 0, maxBacklogSamples, defer: (fn) => deferred.push(fn) });
  const turn = () => deferred.shift()?.();
  const drain = () => {
    while (deferred.length > 0) turn();
  };
  return { queue, screened, deferred, turn, drain };
}

describe("screen queue", () => {
  it("screens a patient with live data before everyone's history, keeping each patient's batches in order", () => {
    const { queue, screened, drain } = createManualQueue();
    queue.push("a", "a1", { samples: 60, isLive: false });
    queue.push("a", "a2", { samples: 60, isLive: false });
    queue.push("b", "b1", { samples: 60, isLive: false });
    queue.push("c", "c1", { samples: 60, isLive: false });
    queue.push("b", "b2", { samples: 10, isLive: true });
    expect(queue.run()).toBeInstanceOf(Promise);
    // One batch per slice: the first slice ran at once, the rest wait for the event loop.
    expect(screened).toEqual(["b1"]);
    drain();
    expect(screened).toEqual(["b1", "b2", "a1", "a2", "c1"]);
    expect(queue.backlogSamples()).toBe(0);
  });

  it("yields between slices instead of screening everything in one go", () => {
    const { queue, screened, deferred, turn } = createManualQueue();
    for (let index = 0; index < 4; index += 1) queue.push(`p${index}`, `p${index}`, { samples: 60, isLive: false });
    queue.run();
    expect(screened).toHaveLength(1);
    expect(deferred).toHaveLength(1);
    // A second run() while a slice is scheduled does not start another one.
    queue.run();
    expect(screened).toHaveLength(1);
    turn();
    expect(screened).toHaveLength(2);
  });

  it("hands back a promise while far behind, settled once everything queued is screened", async () => {
    const { queue, screened, drain } = createManualQueue(100);
    for (let index = 0; index < 3; index += 1) queue.push("a", `a${index}`, { samples: 60, isLive: false });
    const behind = queue.run();
    expect(behind).toBeInstanceOf(Promise);
    let settled = false;
    void behind!.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    drain();
    await behind;
    expect(screened).toEqual(["a0", "a1", "a2"]);
    expect(queue.run()).toBeUndefined();
  });
  it("holds the writer while live data is queued, and lets it go once that is screened even with history left", async () => {
    const { queue, screened, turn } = createManualQueue();
    queue.push("a", "a1", { samples: 60, isLive: false });
    queue.push("a", "a2", { samples: 60, isLive: false });
    queue.push("b", "b1", { samples: 10, isLive: true });
    queue.push("c", "c1", { samples: 10, isLive: true });
    const behind = queue.run();
    expect(behind).toBeInstanceOf(Promise);
    let settled = false;
    void behind!.then(() => (settled = true));
    turn();
    await Promise.resolve();
    expect(screened).toEqual(["b1", "c1"]);
    expect(settled).toBe(true);
    expect(queue.backlogSamples()).toBe(120);
    // History alone, under the bound: nothing to wait for.
    expect(queue.run()).toBeUndefined();
  });
});
