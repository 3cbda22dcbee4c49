// Server-only.
import type { TDeviceActor } from "../auth/actor";
import { AppError } from "../errors/app-error";
import type { THeartRateBatch } from "./batch-schemas";
import { checkBatchTime } from "./check-batch-time";
import type { TIngestAck, TIngestWriter } from "./create-ingest-writer";

/** Stores a heart-rate batch from a watch exactly once; resolves when it is durable. */
export async function ingestHeartRate(options: {
  writer: TIngestWriter;
  actor: TDeviceActor;
  deviceId: string;
  batch: THeartRateBatch;
  nowMs?: number;
}): Promise<TIngestAck> {
  const { actor, batch } = options;
  assertDeviceMayWrite(actor, options.deviceId, "WATCH");
  const receivedAtMs = Date.now();
  const startedAtMs = Date.parse(batch.startedAt);
  checkBatchTime({
    firstMs: startedAtMs,
    lastMs: startedAtMs + (batch.bpm.length - 1) * batch.intervalMs,
    nowMs: options.nowMs ?? Date.now(),
    field: "startedAt",
  });
  return options.writer.submit({
    kind: "heart-rate",
    deviceId: actor.deviceId,
    patientId: actor.patientId,
    seq: batch.seq,
    startedAtMs,
    intervalMs: batch.intervalMs,
    bpm: batch.bpm,
    activity: batch.activity ?? batch.bpm.map(() => 0),
    receivedAtMs,
  });
}

export function assertDeviceMayWrite(actor: TDeviceActor, deviceId: string, kind: TDeviceActor["deviceKind"]): void {
  if (actor.deviceId !== deviceId) throw new AppError("FORBIDDEN", { message: "This token does not belong to that device" });
  if (actor.deviceKind !== kind) {
    throw new AppError("FORBIDDEN", { message: kind === "WATCH" ? "Only watches send heart rate" : "Only glucose sensors send glucose" });
  }
}
