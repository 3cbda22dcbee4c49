import { describe, expect, it } from "vitest";
import { createDeviceUploader, type TOutgoingBatch } from "@/workers/simulator/device-uploader";
import type { TSendResult, TTransport } from "@/workers/simulator/transports";

/** A transport that answers from a script, one result per send, and records what it was sent. */
function scriptedTransport(script: TSendResult[]) {
  const sent: number[] = [];
  const sentAtMs: number[] = [];
  const transport: TTransport = {
    async send(_kind, body) {
      sent.push((body as { seq: number }).seq);
      sentAtMs.push(Date.now());
      return script.shift() ?? { kind: "ack", status: "stored" };
    },
    close() {},
  };
  return { transport, sent, sentAtMs };
}

const batch = (seq: number): TOutgoingBatch => ({ kind: "heart-rate", seq, samples: 10, body: { seq } });

describe("device uploader", () => {
  it("sends in order and resends a batch until it is acknowledged", async () => {
    const { transport, sent } = scriptedTransport([
      { kind: "retry", reason: "network" },
      { kind: "retry", reason: "http 503" },
      { kind: "ack", status: "stored" },
      { kind: "ack", status: "duplicate" },
    ]);
    const uploader = createDeviceUploader({ transport, random: () => 0.01 });
    uploader.enqueue(batch(1));
    uploader.enqueue(batch(2));
    await uploader.drained();
    uploader.stop();
    expect(sent).toEqual([1, 1, 1, 2]);
    expect(uploader.stats()).toMatchObject({ stored: 1, duplicate: 1, retries: 2, rejected: 0, samplesAcked: 20, buffered: 0 });
  });

  it("waits at least the server's retry-after before resending", async () => {
    const { transport, sentAtMs } = scriptedTransport([{ kind: "retry", afterMs: 300, reason: "http 429" }]);
    const uploader = createDeviceUploader({ transport, random: () => 0 });
    uploader.enqueue(batch(1));
    await uploader.drained();
    uploader.stop();
    expect(sentAtMs[1]! - sentAtMs[0]!).toBeGreaterThanOrEqual(290);
  });

  it("drops a batch the server refused for good, records why, and moves on", async () => {
    const { transport, sent } = scriptedTransport([{ kind: "rejected", status: 422, code: "VALIDATION_FAILED", message: "bpm.1" }]);
    const uploader = createDeviceUploader({ transport });
    uploader.enqueue(batch(1));
    uploader.enqueue(batch(2));
    await uploader.drained();
    uploader.stop();
    expect(sent).toEqual([1, 2]);
    expect(uploader.stats()).toMatchObject({ rejected: 1, stored: 1, lastRejection: "422 VALIDATION_FAILED: bpm.1" });
  });

  it("keeps at most maxBufferedBatches while offline, dropping the oldest and counting them", async () => {
    let online = false;
    const sent: number[] = [];
    const transport: TTransport = {
      async send(_kind, body) {
        if (!online) return { kind: "retry", reason: "offline" };
        sent.push((body as { seq: number }).seq);
        return { kind: "ack", status: "stored" };
      },
      close() {},
    };
    const uploader = createDeviceUploader({ transport, maxBufferedBatches: 3, random: () => 0 });
    for (let seq = 1; seq <= 5; seq += 1) uploader.enqueue(batch(seq));
    expect(uploader.stats()).toMatchObject({ buffered: 3, droppedFromBuffer: 2 });
    online = true;
    await uploader.drained();
    uploader.stop();
    expect(sent).toEqual([3, 4, 5]);
  });
});
