// One device's outbox: batches are kept in order in an offline buffer and sent one at a time; a batch
// leaves the buffer only when the server has acknowledged it (stored or duplicate) or refused it for
// good. Failures back off exponentially with full jitter, honouring the server's Retry-After.
import type { TBatchKind, TTransport } from "./transports";

export type TOutgoingBatch = { kind: TBatchKind; seq: number; samples: number; body: unknown };

export type TUploaderStats = {
  stored: number;
  duplicate: number;
  rejected: number;
  retries: number;
  droppedFromBuffer: number;
  samplesAcked: number;
  buffered: number;
  lastRejection?: string;
};

export type TDeviceUploader = {
  enqueue(batch: TOutgoingBatch): void;
  stats(): TUploaderStats;
  /** Resolves when everything enqueued so far has been acknowledged or refused. */
  drained(): Promise<void>;
  stop(): void;
};

const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 15_000;

export function createDeviceUploader(options: {
  transport: TTransport;
  /** A day of 10-second batches: beyond this the oldest is dropped (and counted), as a real watch would. */
  maxBufferedBatches?: number;
  random?: () => number;
  onAck?: (batch: TOutgoingBatch, status: "stored" | "duplicate") => void;
}): TDeviceUploader {
  const maxBuffered = options.maxBufferedBatches ?? 8_640;
  const random = options.random ?? Math.random;
  const buffer: TOutgoingBatch[] = [];
  const stats: TUploaderStats = { stored: 0, duplicate: 0, rejected: 0, retries: 0, droppedFromBuffer: 0, samplesAcked: 0, buffered: 0 };
  let running = true;
  let isIdle = false;
  let wake: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async () => {
    let attempt = 0;
    while (running) {
      const batch = buffer[0];
      if (!batch) {
        for (const resolve of idleWaiters) resolve();
        idleWaiters = [];
        isIdle = true;
        await sleep(60_000);
        isIdle = false;
        continue;
      }
      const result = await options.transport.send(batch.kind, batch.body);
      if (result.kind === "retry") {
        attempt += 1;
        stats.retries += 1;
        const backoffMs = random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 10));
        await sleep(Math.max(result.afterMs ?? 0, backoffMs));
        continue;
      }
      attempt = 0;
      buffer.shift();
      if (result.kind === "ack") {
        stats[result.status] += 1;
        stats.samplesAcked += batch.samples;
        options.onAck?.(batch, result.status);
      } else {
        stats.rejected += 1;
        stats.lastRejection = `${result.status} ${result.code}: ${result.message}`;
      }
    }
  };
  void loop();

  return {
    enqueue(batch) {
      buffer.push(batch);
      if (buffer.length > maxBuffered) {
        buffer.shift();
        stats.droppedFromBuffer += 1;
      }
      // Only an idle outbox is woken: a new batch must not cut a back-off short and hammer a busy server.
      if (isIdle) wake?.();
    },
    stats: () => ({ ...stats, buffered: buffer.length }),
    drained: () => (buffer.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    stop() {
      running = false;
      wake?.();
      for (const resolve of idleWaiters) resolve();
    },
  };
}
