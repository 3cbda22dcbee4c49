// One device's outbox: batches are kept in order in an offline buffer and sent one request at a time; a
// batch leaves the buffer only when the server has acknowledged it (stored or duplicate) or refused it
// for good. When several heart-rate batches wait (a watch back online), they go as one upload of up to
// an hour of samples, each batch still answered on its own. Failures back off exponentially with full
// jitter, honouring the server's Retry-After.
import { MAX_BATCHES_PER_UPLOAD, MAX_SAMPLES_PER_BATCH } from "../../lib/ingest/batch-schemas";
import type { TBatchKind, TSendResult, TTransport } from "./transports";

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

  /** The head of the buffer, with the heart-rate batches behind it when several wait: one upload. */
  const takeNext = (): TOutgoingBatch[] => {
    const head = buffer[0];
    if (!head || head.kind !== "heart-rate" || !options.transport.sendUpload) return head ? [head] : [];
    const next = [head];
    let samples = head.samples;
    for (const batch of buffer.slice(1, MAX_BATCHES_PER_UPLOAD)) {
      if (batch.kind !== "heart-rate" || samples + batch.samples > MAX_SAMPLES_PER_BATCH) break;
      next.push(batch);
      samples += batch.samples;
    }
    return next;
  };

  /** One result per batch: an upload's own, or the single batch's, or the whole request's for each. */
  const sendNext = async (batches: TOutgoingBatch[]): Promise<TSendResult[]> => {
    if (batches.length === 1) return [await options.transport.send(batches[0]!.kind, batches[0]!.body)];
    const outcome = await options.transport.sendUpload!("heart-rate", batches.map((batch) => batch.body));
    return outcome.kind === "results" ? outcome.results : batches.map(() => outcome);
  };

  const loop = async () => {
    let attempt = 0;
    while (running) {
      const batches = takeNext();
      if (batches.length === 0) {
        for (const resolve of idleWaiters) resolve();
        idleWaiters = [];
        isIdle = true;
        await sleep(60_000);
        isIdle = false;
        continue;
      }
      const results = await sendNext(batches);
      let retry: { afterMs?: number } | undefined;
      batches.forEach((batch, index) => {
        const result = results[index] ?? { kind: "retry", reason: "no answer for this batch" };
        if (result.kind === "retry") {
          retry ??= result;
          return;
        }
        // By identity: while it was in flight, a full buffer may have dropped it, or batches in front of it.
        const at = buffer.indexOf(batch);
        if (at >= 0) buffer.splice(at, 1);
        if (result.kind === "ack") {
          stats[result.status] += 1;
          stats.samplesAcked += batch.samples;
          options.onAck?.(batch, result.status);
        } else {
          stats.rejected += 1;
          stats.lastRejection = `${result.status} ${result.code}: ${result.message}`;
        }
      });
      if (!retry) {
        attempt = 0;
        continue;
      }
      attempt += 1;
      stats.retries += 1;
      const backoffMs = random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 10));
      await sleep(Math.max(retry.afterMs ?? 0, backoffMs));
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
