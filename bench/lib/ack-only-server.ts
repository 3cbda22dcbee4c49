// The transport ceiling for bench:ingest: a socket.io server in a process of its own, with the product's
// socket.io options and /device events, that checks each heart-rate batch or upload with the product's schema and
// acknowledges it at once, storing nothing. Whatever the benchmark's clients and socket.io reach against it
// on this machine bounds what any server behind the same clients could reach; bench:ingest reports it next
// to the throughput ratio. Started by bench/ingest.ts (fork); tells its port over IPC, exits on SIGTERM.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { parseHeartRateBatch, parseHeartRateUpload } from "../../lib/ingest/batch-schemas";

const httpServer = createServer((_request, response) => {
  response.statusCode = 404;
  response.end();
});
const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 1024 * 1024 });

/** The product's parse, answered at once: the data, or a validation error. */
function check<T>(parse: () => T, toData: (parsed: T) => unknown) {
  try {
    return { ok: true, data: toData(parse()) };
  } catch {
    return { ok: false, error: { code: "VALIDATION_FAILED", message: "invalid batch" } };
  }
}

io.of("/device").on("connection", (socket) => {
  const stored = (batch: { seq: number; bpm: number[] }) => ({ deviceId: socket.id, seq: batch.seq, status: "stored", samples: batch.bpm.length });
  socket.on("heart-rate:batch", (payload: unknown, ack?: (response: unknown) => void) => ack?.(check(() => parseHeartRateBatch(payload), stored)));
  socket.on("heart-rate:batches", (payload: unknown, ack?: (response: unknown) => void) =>
    ack?.(check(() => parseHeartRateUpload(payload), (upload) => ({ results: upload.batches.map(stored) }))),
  );
});

httpServer.listen(0, "127.0.0.1", () => process.send?.({ port: (httpServer.address() as AddressInfo).port }));
process.once("SIGTERM", () => {
  void io.close();
  process.exit(0);
});
