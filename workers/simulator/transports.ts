// How a virtual device talks to PulseGuard: as any real client would, over the public device API.
import { io, type Socket } from "socket.io-client";
import type { TEcgRequestMessage } from "../../lib/detect/service/ecg-strip-upload";
import type { DeviceClientToServerEvents, DeviceServerToClientEvents, TAckError } from "../../lib/realtime/events";

export type TBatchKind = "heart-rate" | "glucose";

export type TSendResult =
  | { kind: "ack"; status: "stored" | "duplicate" }
  /** Try again later: network error, server restarting, 429 or 5xx. */
  | { kind: "retry"; afterMs?: number; reason: string }
  /** The server refused the batch itself (4xx): resending it cannot help. */
  | { kind: "rejected"; status: number; code: string; message: string };

export type TEcgStripBody = { requestId: string; recordedAt: string; sampleRateHz: number; samplesLe16: Uint8Array };

export type TTransport = {
  send(kind: TBatchKind, body: unknown): Promise<TSendResult>;
  /**
   * Server-initiated ECG requests reach a watch only over its socket (the HTTP transport cannot be
   * called back), so these exist on the socket transport alone.
   */
  onEcgRequest?(handler: (request: TEcgRequestMessage) => void): void;
  sendStrip?(body: TEcgStripBody): Promise<TSendResult>;
  close(): void;
};

const REQUEST_TIMEOUT_MS = 15_000;

export function createHttpTransport(options: { baseUrl: string; deviceId: string; token: string }): TTransport {
  const path = (kind: TBatchKind) => `${options.baseUrl}/api/devices/${options.deviceId}/${kind}`;
  return {
    async send(kind, body) {
      let response: Response;
      try {
        response = await fetch(path(kind), {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${options.token}` },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        return { kind: "retry", reason: error instanceof Error ? error.name : "network" };
      }
      const payload = (await response.json().catch(() => null)) as { ack?: { status: "stored" | "duplicate" }; error?: { code: string; message: string } } | null;
      if (response.ok && payload?.ack) return { kind: "ack", status: payload.ack.status };
      // A 2xx whose body did not arrive whole (the server died mid-response): whether the batch was
      // stored is unknown, so send it again; the server answers a stored one as a duplicate.
      if (response.ok) return { kind: "retry", reason: "incomplete response" };
      const retryAfterS = Number(response.headers.get("retry-after"));
      if (response.status === 429 || response.status === 408 || response.status >= 500) {
        return { kind: "retry", afterMs: Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : undefined, reason: `http ${response.status}` };
      }
      return { kind: "rejected", status: response.status, code: payload?.error?.code ?? "UNKNOWN", message: payload?.error?.message ?? "" };
    },
    close() {},
  };
}

export function createSocketTransport(options: { baseUrl: string; token: string }): TTransport {
  const socket: Socket<DeviceServerToClientEvents, DeviceClientToServerEvents> = io(`${options.baseUrl}/device`, {
    transports: ["websocket"],
    auth: { token: options.token },
    reconnectionDelay: 500,
    reconnectionDelayMax: 10_000,
  });
  const retryableCodes = new Set(["THROTTLED", "UNAVAILABLE", "INTERNAL"]);
  const emit = async (event: "heart-rate:batch" | "glucose:batch" | "ecg:strip", body: unknown): Promise<TSendResult> => {
    // Emitting while disconnected would queue in socket.io's buffer and replay later; the uploader's
    // own buffer and retries already do that, so wait for a live connection instead.
    if (!socket.connected) return { kind: "retry", reason: "disconnected" };
    try {
      const response = (await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(event, body)) as
        | { ok: true; data: { status: "stored" | "duplicate" } }
        | { ok: false; error: TAckError };
      if (response.ok) return { kind: "ack", status: response.data.status };
      if (retryableCodes.has(response.error.code)) {
        return { kind: "retry", afterMs: response.error.retryAfterS ? response.error.retryAfterS * 1000 : undefined, reason: response.error.code };
      }
      return { kind: "rejected", status: 400, code: response.error.code, message: response.error.message };
    } catch {
      return { kind: "retry", reason: "ack timeout" };
    }
  };
  return {
    send: (kind, body) => emit(kind === "heart-rate" ? "heart-rate:batch" : "glucose:batch", body),
    onEcgRequest(handler) {
      socket.on("ecg:request", handler);
    },
    sendStrip: (body) => emit("ecg:strip", body),
    close() {
      socket.close();
    },
  };
}
