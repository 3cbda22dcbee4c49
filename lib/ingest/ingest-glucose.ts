// Server-only.
import type { TDeviceActor } from "../auth/actor";
import type { TGlucoseBatch } from "./batch-schemas";
import { checkBatchTime } from "./check-batch-time";
import type { TIngestAck, TIngestWriter } from "./create-ingest-writer";
import { assertDeviceMayWrite } from "./ingest-heart-rate";

/** Stores a batch of CGM readings exactly once; resolves when it is durable. */
export async function ingestGlucose(options: {
  writer: TIngestWriter;
  actor: TDeviceActor;
  deviceId: string;
  batch: TGlucoseBatch;
  nowMs?: number;
}): Promise<TIngestAck> {
  const { actor, batch } = options;
  assertDeviceMayWrite(actor, options.deviceId, "CGM");
  const readings = batch.readings.map((reading) => ({ measuredAtMs: Date.parse(reading.measuredAt), glucoseMgDl: reading.glucoseMgDl }));
  const times = readings.map((reading) => reading.measuredAtMs);
  checkBatchTime({ firstMs: Math.min(...times), lastMs: Math.max(...times), nowMs: options.nowMs ?? Date.now(), field: "readings" });
  return options.writer.submit({ kind: "glucose", deviceId: actor.deviceId, patientId: actor.patientId, seq: batch.seq, readings });
}
