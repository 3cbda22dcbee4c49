// Server-only.
import type { TIngestItem } from "../ingest/create-ingest-writer";
import type { TRealtimeServer } from "./create-realtime-server";
import { rooms } from "./events";

/** After a commit, sends newly stored heart rate to the clients watching each patient (write, ack, then push). */
export function pushStoredHeartRate(io: TRealtimeServer, stored: TIngestItem[]): void {
  for (const item of stored) {
    if (item.kind !== "heart-rate") continue;
    io.to(rooms.patient(item.patientId)).emit("patient:heart-rate", {
      patientId: item.patientId,
      startedAt: new Date(item.startedAtMs).toISOString(),
      intervalMs: item.intervalMs,
      bpm: item.bpm,
    });
  }
}
