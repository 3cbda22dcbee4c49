// Stored heart rate as tests check it: whatever is staged or compacted, as the batches that were sent.
import type { TDb } from "@/lib/db/create-prisma-client";
import { readHeartRateBatches, type TStoredHeartRateBatch } from "@/lib/ingest";
import { createSampleChecksum } from "@/workers/simulator/sample-checksum";

export function readStoredBatches(db: TDb, where: { deviceId: string } | { patientId: string }): Promise<TStoredHeartRateBatch[]> {
  return readHeartRateBatches({ db, ...where });
}

export async function countStoredBatches(db: TDb, where: { deviceId: string } | { patientIds: string[] }): Promise<number> {
  if ("deviceId" in where) return (await readStoredBatches(db, where)).length;
  let total = 0;
  for (const patientId of where.patientIds) total += (await readStoredBatches(db, { patientId })).length;
  return total;
}

/** Count and order-sensitive checksum of (time, bpm) over a device's stored samples, as the simulator computes them. */
export async function checksumStoredHeartRate(db: TDb, deviceId: string) {
  const checksum = createSampleChecksum();
  for (const batch of await readStoredBatches(db, { deviceId })) {
    batch.bpm.forEach((bpm, index) => checksum.add(batch.startedAtMs + index * batch.intervalMs, bpm));
  }
  return checksum.value();
}
