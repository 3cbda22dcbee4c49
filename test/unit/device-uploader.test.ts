import { describe, expect, it } from "vitest";
import { createDeviceUploader, type TOutgoingBatch } from "@/workers/simulator/device-uploader";
import type { TSendResult, TTransport, TUploadResult } from "@/workers/simulator/transports";

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

  it("sends the heart-rate batches waiting after an outage as one upload, and resends only those not yet settled", async () => {
    const requests: number[][] = [];
    const script: TUploadResult[] = [
      {
        kind: "results",
        results: [
          { kind: "ack", status: "stored" },
          { kind: "retry", reason: "UNAVAILABLE" },
          { kind: "ack", status: "duplicate" },
          { kind: "rejected", status: 409, code: "CONFLICT", message: "seq 4" },
        ],
      },
    ];
    const transport: TTransport = {
      async send(_kind, body) {
        requests.push([(body as { seq: number }).seq]);
        return { kind: "ack", status: "stored" };
      },
      async sendUpload(_kind, bodies) {
        requests.push(bodies.map((body) => (body as { seq: number }).seq));
        return script.shift() ?? { kind: "results", results: bodies.map(() => ({ kind: "ack", status: "stored" })) };
      },
      close() {},
    };
    const uploader = createDeviceUploader({ transport, random: () => 0 });
    // Enqueued in one turn, as a reconnecting watch finds them: a glucose batch ends the upload.
    for (const seq of [1, 2, 3, 4]) uploader.enqueue(batch(seq));
    uploader.enqueue({ kind: "glucose", seq: 5, samples: 1, body: { seq: 5 } });
    uploader.enqueue(batch(6));
    uploader.enqueue(batch(7));
    await uploader.drained();
    uploader.stop();
    expect(requests).toEqual([[1, 2, 3, 4], [2], [5], [6, 7]]);
    expect(uploader.stats()).toMatchObject({ stored: 5, duplicate: 1, rejected: 1, retries: 1, samplesAcked: 51, buffered: 0, lastRejection: "409 CONFLICT: seq 4" });
  });

  it("holds an upload to an hour of samples", async () => {
    const sizes: number[] = [];
    const transport: TTransport = {
      send: async () => {
        sizes.push(1);
        return { kind: "ack", status: "stored" };
      },
      sendUpload: async (_kind, bodies) => {
        sizes.push(bodies.length);
        return { kind: "results", results: bodies.map(() => ({ kind: "ack", status: "stored" })) };
      },
      close() {},
    };
    const uploader = createDeviceUploader({ transport });
    // 900 ten-second batches (2.5 hours): 360 per upload at most, 3,600 samples.
    for (let seq = 1; seq <= 900; seq += 1) uploader.enqueue(batch(seq));
    await uploader.drained();
    uploader.stop();
    expect(sizes).toEqual([360, 360, 180]);
  });

  it("does not drop the next batch when a full buffer dropped the one in flight", async () => {
    const sent: number[] = [];
    let answerFirst: (() => void) | undefined;
    const transport: TTransport = {
      send: (_kind, body) => {
        sent.push((body as { seq: number }).seq);
        if (sent.length > 1) return Promise.resolve({ kind: "ack", status: "stored" });
        return new Promise((resolve) => (answerFirst = () => resolve({ kind: "ack", status: "stored" })));
      },
      close() {},
    };
    const uploader = createDeviceUploader({ transport, maxBufferedBatches: 2 });
    uploader.enqueue(batch(1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Batch 1 is in flight; two more overflow the buffer of two, which drops batch 1 from it.
    uploader.enqueue(batch(2));
    uploader.enqueue(batch(3));
    answerFirst!();
    await uploader.drained();
    uploader.stop();
    expect(sent).toEqual([1, 2, 3]);
    expect(uploader.stats()).toMatchObject({ stored: 3, droppedFromBuffer: 1, buffered: 0 });
  });
});
