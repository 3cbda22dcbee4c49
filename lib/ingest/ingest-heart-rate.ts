// Server-only.
import type { TDeviceActor } from "../auth/actor";
import { AppError } from "../errors/app-error";
import { toAckError } from "../errors/to-error-body";
import type { TUploadBatchResultData } from "../realtime/events";
import type { THeartRateBatch } from "./batch-schemas";
import { checkBatchTime } from "./check-batch-time";
import type { THeartRateItem, TIngestAck, TIngestWriter } from "./create-ingest-writer";

/** Stores a heart-rate batch from a watch exactly once; resolves when it is durable. */
export async function ingestHeartRate(options: {
  writer: TIngestWriter;
  actor: TDeviceActor;
  deviceId: string;
  batch: THeartRateBatch;
  nowMs?: number;
}): Promise<TIngestAck> {
  assertDeviceMayWrite(options.actor, options.deviceId, "WATCH");
  return options.writer.submit(toHeartRateItem(options.actor, options.batch, "startedAt", options.nowMs ?? Date.now()));
}

/**
 * Stores the batches of one upload, each exactly once by its own (device, seq). The upload is checked
 * whole before anything is queued: one bad batch refuses all of them (naming it, `batches.3.startedAt`),
 * and a full queue refuses all of them (THROTTLED). Resolves when every batch is durable or has failed:
 * the answer says per batch, so a device drops what was stored and resends only what was not.
 */
export async function ingestHeartRateUpload(options: {
  writer: TIngestWriter;
  actor: TDeviceActor;
  deviceId: string;
  batches: THeartRateBatch[];
  nowMs?: number;
}): Promise<{ results: TUploadBatchResultData[] }> {
  assertDeviceMayWrite(options.actor, options.deviceId, "WATCH");
  const nowMs = options.nowMs ?? Date.now();
  const items = options.batches.map((batch, index) => toHeartRateItem(options.actor, batch, `batches.${index}.startedAt`, nowMs));
  // A full queue or a closing writer refuses the whole upload (thrown here, answered as for one batch).
  const settled = await Promise.allSettled(options.writer.submitMany(items));
  return {
    results: settled.map((outcome, index) => (outcome.status === "fulfilled" ? outcome.value : { seq: items[index]!.seq, error: toAckError(outcome.reason) })),
  };
}

function toHeartRateItem(actor: TDeviceActor, batch: THeartRateBatch, field: string, nowMs: number): THeartRateItem {
  const startedAtMs = Date.parse(batch.startedAt);
  checkBatchTime({ firstMs: startedAtMs, lastMs: startedAtMs + (batch.bpm.length - 1) * batch.intervalMs, nowMs, field });
  return {
    kind: "heart-rate",
    deviceId: actor.deviceId,
    patientId: actor.patientId,
    seq: batch.seq,
    startedAtMs,
    intervalMs: batch.intervalMs,
    bpm: batch.bpm,
    activity: batch.activity ?? batch.bpm.map(() => 0),
    receivedAtMs: Date.now(),
  };
}

export function assertDeviceMayWrite(actor: TDeviceActor, deviceId: string, kind: TDeviceActor["deviceKind"]): void {
  if (actor.deviceId !== deviceId) throw new AppError("FORBIDDEN", { message: "This token does not belong to that device" });
  if (actor.deviceKind !== kind) {
    throw new AppError("FORBIDDEN", { message: kind === "WATCH" ? "Only watches send heart rate" : "Only glucose sensors send glucose" });
  }
}
