// The round progress publisher coalesces bursts per round (one emit per interval, always the latest
// state) and never lets a failed load escape into the caller.
import { afterEach, describe, expect, it } from "vitest";
import type { TDb } from "@/lib/db/create-prisma-client";
import type { TRoundView } from "@/lib/fl/rounds/round-views";
import { createRoundProgressPublisher, type TRoundProgressPublisher } from "@/lib/realtime/create-round-progress-publisher";
import { rooms } from "@/lib/realtime/events";

const INTERVAL_MS = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type TEmit = { room: string; event: string; roundId: string; revision: number };

function setUp(options: { failFor?: Set<string> } = {}) {
  const emits: TEmit[] = [];
  const revisions = new Map<string, number>();
  let loads = 0;
  // Each change bumps the round's revision; the publisher must push the revision current at emit time.
  const change = (roundId: string) => revisions.set(roundId, (revisions.get(roundId) ?? 0) + 1);
  const io = {
    to: (room: string) => ({
      emit: (event: string, view: TRoundView & { revision: number }) => {
        emits.push({ room, event, roundId: view.id, revision: view.revision });
        return true;
      },
    }),
  };
  const publisher = createRoundProgressPublisher({
    io: io as never,
    db: {} as TDb,
    minIntervalMs: INTERVAL_MS,
    loadRound: async ({ roundId }) => {
      await sleep(2);
      // Counted once the load has decided to fail or not, so a test can wait for a failure to happen.
      loads += 1;
      if (options.failFor?.has(roundId)) throw new Error("database unavailable");
      return { id: roundId, revision: revisions.get(roundId) ?? 0 } as unknown as TRoundView;
    },
  });
  return { publisher, emits, change, loads: () => loads };
}

let open: TRoundProgressPublisher | undefined;
afterEach(() => open?.close());

describe("round progress publisher", () => {
  it("pushes a single change at once, to every hospital's admins", async () => {
    const { publisher, emits, change } = setUp();
    open = publisher;
    change("r1");
    publisher.publish("r1");
    await expect.poll(() => emits.length).toBe(1);
    expect(emits).toEqual([{ room: rooms.consortiumAdmins(), event: "fl:round", roundId: "r1", revision: 1 }]);
  });

  it("coalesces a burst into at most one push per interval, ending with the latest state", async () => {
    const { publisher, emits, change, loads } = setUp();
    open = publisher;
    const startedMs = Date.now();
    for (let index = 0; index < 20; index += 1) {
      change("r1");
      publisher.publish("r1");
      await sleep(3);
    }
    const burstMs = Date.now() - startedMs;
    await sleep(INTERVAL_MS * 3);
    // One at the start, then at most one per interval of the burst (measured: a busy machine stretches it).
    expect(emits.length).toBeLessThanOrEqual(Math.ceil(burstMs / INTERVAL_MS) + 1);
    expect(emits.length).toBeLessThan(20);
    expect(emits.length).toBe(loads());
    expect(emits.at(-1)).toMatchObject({ roundId: "r1", revision: 20 });
  });

  it("keeps rounds independent", async () => {
    const { publisher, emits, change } = setUp();
    open = publisher;
    change("r1");
    change("r2");
    publisher.publish("r1");
    publisher.publish("r2");
    await expect.poll(() => emits.length).toBe(2);
    expect(emits.map((emit) => emit.roundId).sort()).toEqual(["r1", "r2"]);
  });

  it("swallows a failed load and still pushes the next change", async () => {
    const failFor = new Set(["r1"]);
    const { publisher, emits, change, loads } = setUp({ failFor });
    open = publisher;
    change("r1");
    expect(() => publisher.publish("r1")).not.toThrow();
    await expect.poll(() => loads()).toBe(1);
    failFor.clear();
    change("r1");
    publisher.publish("r1");
    await expect.poll(() => emits.length).toBe(1);
    expect(emits).toMatchObject([{ roundId: "r1", revision: 2 }]);
  });

  it("drops pending pushes once closed", async () => {
    const { publisher, emits, change } = setUp();
    change("r1");
    publisher.publish("r1");
    await expect.poll(() => emits.length).toBe(1);
    change("r1");
    publisher.publish("r1");
    publisher.close();
    publisher.publish("r1");
    await sleep(INTERVAL_MS * 2);
    expect(emits).toHaveLength(1);
  });
});
