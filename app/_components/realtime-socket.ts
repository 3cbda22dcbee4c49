"use client";

// One socket.io connection per page, same origin: the session cookie authenticates the handshake.
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/events";

export type TClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let shared: TClientSocket | null = null;
let users = 0;

export function acquireSocket(): TClientSocket {
  shared ??= io({ transports: ["websocket"], withCredentials: true, reconnectionDelay: 1_000, reconnectionDelayMax: 10_000 });
  users += 1;
  return shared;
}

export function releaseSocket(): void {
  users -= 1;
  if (users <= 0 && shared) {
    shared.close();
    shared = null;
    users = 0;
  }
}

export type TAckResult<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

/** emitWithAck with a timeout, mapping a lost connection to an error result instead of a throw. */
export async function emitWithTimeout<T>(socket: TClientSocket, event: keyof ClientToServerEvents, payload: unknown, timeoutMs = 10_000): Promise<TAckResult<T>> {
  try {
    const timed = socket.timeout(timeoutMs) as unknown as { emitWithAck(event: string, payload: unknown): Promise<TAckResult<T>> };
    return await timed.emitWithAck(event, payload);
  } catch {
    return { ok: false, error: { code: "TIMEOUT", message: "No answer from PulseGuard. Check your connection." } };
  }
}
