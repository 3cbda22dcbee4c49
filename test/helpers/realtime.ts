import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { io as connect, type Socket } from "socket.io-client";
import type { TDb } from "@/lib/db/create-prisma-client";
import type { TDatabase } from "@/lib/db/open-database";
import { createIngestWriter } from "@/lib/ingest/create-ingest-writer";
import { createRealtimeServer, type TRealtime } from "@/lib/realtime/create-realtime-server";
import { signInAs } from "./factories";

export type TTestRealtime = { url: string; realtime: TRealtime; httpServer: Server; close(): Promise<void> };

/** A real socket.io server on port 0, as server.ts wires it, without Next. */
export async function startTestRealtime(options: {
  db: TDb;
  redisUrl?: string;
  /** Accept device data: an ingest writer on this database (the one `db` belongs to). */
  withIngest?: TDatabase;
  createDetection?: Parameters<typeof createRealtimeServer>[0]["createDetection"];
}): Promise<TTestRealtime> {
  const httpServer = createServer((_request, response) => {
    response.statusCode = 404;
    response.end();
  });
  const ingest = options.withIngest ? createIngestWriter({ database: options.withIngest }) : undefined;
  const realtime = await createRealtimeServer({ httpServer, db: options.db, redisUrl: options.redisUrl, ingest, createDetection: options.createDetection });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    realtime,
    httpServer,
    async close() {
      await realtime.close();
      await ingest?.close();
      await realtime.detection?.close();
    },
  };
}

/** Connects a real client; resolves with the socket once connected, or rejects with the server's refusal. */
export function connectClient(url: string, options: { namespace?: string; cookie?: string; token?: string; origin?: string }): Promise<Socket> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;
  const socket = connect(`${url}${options.namespace ?? "/"}`, {
    transports: ["websocket"],
    extraHeaders: headers,
    auth: options.token ? { token: options.token } : {},
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Signs the user in and connects a real client with the session cookie, as their browser would. */
export async function connectSignedIn(url: string, db: TDb, userId: string): Promise<Socket> {
  return connectClient(url, { cookie: (await signInAs(db, userId)).cookie });
}
