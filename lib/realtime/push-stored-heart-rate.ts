// Server-only.
import type { TIngestItem } from "../ingest/create-ingest-writer";
import type { TRealtimeServer } from "./create-realtime-server";
import { rooms } from "./events";

/**
 * After a commit, sends newly stored heart rate to the clients watching each patient (write, ack, then
 * push). With `localRoomsOnly` (no cluster adapter: every watcher is connected to this process) a
 * patient nobody watches is skipped before the message is built: socket.io encodes a broadcast before it
 * looks for recipients, and most patients' batches have none (bench:ingest profile: 9% of the server's
 * busy time went to encoding pushes for empty rooms while watches drained their buffers).
 */
export function pushStoredHeartRate(io: TRealtimeServer, stored: TIngestItem[], options: { localRoomsOnly: boolean }): void {
  const localRooms = io.of("/").adapter.rooms;
  for (const item of stored) {
    if (item.kind !== "heart-rate") continue;
    const room = rooms.patient(item.patientId);
    if (options.localRoomsOnly && !localRooms.get(room)?.size) continue;
    io.to(room).emit("patient:heart-rate", {
      patientId: item.patientId,
      startedAt: new Date(item.startedAtMs).toISOString(),
      intervalMs: item.intervalMs,
      bpm: item.bpm,
    });
  }
}
