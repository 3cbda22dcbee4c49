// How a virtual device talks to PulseGuard: as any real client would, over the public device API.
import { io, type Socket } from "socket.io-client";
import type { TEcgRequestMessage } from "../../lib/detect/service/ecg-strip-upload";
import type { DeviceClientToServerEvents, DeviceServerToClientEvents, TAckError, TUploadBatchResultData } from "../../lib/realtime/events";

export type TBatchKind = "heart-rate" | "glucose";

export type TSendResult =
  | { kind: "ack"; status: "stored" | "duplicate" }
  /** Try again later: network error, server restarting, 429 or 5xx. */
  | { kind: "retry"; afterMs?: number; reason: string }
  /** The server refused the batch itself (4xx): resending it cannot help. */
  | { kind: "rejected"; status: number; code: string; message: string };

export type TEcgStripBody = { requestId: string; recordedAt: string; sampleRateHz: number; samplesLe16: Uint8Array };

/** An upload of several batches: a result per batch, or one for the whole request (retry, or refused). */
export type TUploadResult = { kind: "results"; results: TSendResult[] } | Exclude<TSendResult, { kind: "ack" }>;

export type TTransport = {
  send(kind: TBatchKind, body: unknown): Promise<TSendResult>;
  /** Several heart-rate batches in one request (`{ batches }`), answered per batch. */
  sendUpload?(kind: "heart-rate", bodies: unknown[]): Promise<TUploadResult>;
  /**
   * Server-initiated ECG requests reach a watch only over its socket (the HTTP transport cannot be
   * called back), so these exist on the socket transport alone.
   */
  onEcgRequest?(handler: (request: TEcgRequestMessage) => void): void;
  sendStrip?(body: TEcgStripBody): Promise<TSendResult>;
  close(): void;
};

const REQUEST_TIMEOUT_MS = 15_000;

type TRefusal = Exclude<TSendResult, { kind: "ack" }>;
const RETRYABLE_CODES = new Set(["THROTTLED", "UNAVAILABLE", "INTERNAL"]);

/**
 * An error answer, for one batch of an upload or a whole socket request: retry later, or refused for
 * good. The benchmark's device clients (bench/lib/device-clients.ts) answer the same way.
 */
export function refusal(error: TAckError, status = 400): TRefusal {
  if (RETRYABLE_CODES.has(error.code)) return { kind: "retry", afterMs: error.retryAfterS ? error.retryAfterS * 1000 : undefined, reason: error.code };
  return { kind: "rejected", status, code: error.code, message: error.message };
}

export const toUploadResult = (results: TUploadBatchResultData[]): TUploadResult => ({
  kind: "results",
  // The one lasting refusal of a batch inside a valid upload is its seq reused for other data (409).
  results: results.map((result) => (result.error ? refusal(result.error, 409) : { kind: "ack", status: result.status })),
});

export function createHttpTransport(options: { baseUrl: string; deviceId: string; token: string }): TTransport {
  const path = (kind: TBatchKind) => `${options.baseUrl}/api/devices/${options.deviceId}/${kind}`;
  type TBody = { ack?: { status: "stored" | "duplicate" }; results?: TUploadBatchResultData[]; error?: { code: string; message: string } };
  /** POSTs the body; a 200 goes to `onOk` (undefined when its body did not arrive whole), anything else is a refusal. */
  const post = async <T>(kind: TBatchKind, body: unknown, onOk: (payload: TBody | null) => T | undefined): Promise<T | TRefusal> => {
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
    const payload = (await response.json().catch(() => null)) as TBody | null;
    // A 2xx whose body did not arrive whole (the server died mid-response): whether the batch was
    // stored is unknown, so send it again; the server answers a stored one as a duplicate.
    if (response.ok) return onOk(payload) ?? { kind: "retry", reason: "incomplete response" };
    const retryAfterS = Number(response.headers.get("retry-after"));
    if (response.status === 429 || response.status === 408 || response.status >= 500) {
      return { kind: "retry", afterMs: Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : undefined, reason: `http ${response.status}` };
    }
    return { kind: "rejected", status: response.status, code: payload?.error?.code ?? "UNKNOWN", message: payload?.error?.message ?? "" };
  };
  return {
    send: (kind, body) => post<TSendResult>(kind, body, (payload) => (payload?.ack ? { kind: "ack", status: payload.ack.status } : undefined)),
    sendUpload: (kind, bodies) => post<TUploadResult>(kind, { batches: bodies }, (payload) => (payload?.results ? toUploadResult(payload.results) : undefined)),
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
  /** Emits and maps the answer: `ok` data through `onOk`, an error to a refusal. */
  const emit = async <TData, T>(event: "heart-rate:batch" | "heart-rate:batches" | "glucose:batch" | "ecg:strip", body: unknown, onOk: (data: TData) => T): Promise<T | TRefusal> => {
    // Emitting while disconnected would queue in socket.io's buffer and replay later; the uploader's
    // own buffer and retries already do that, so wait for a live connection instead.
    if (!socket.connected) return { kind: "retry", reason: "disconnected" };
    try {
      const response = (await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(event, body)) as { ok: true; data: TData } | { ok: false; error: TAckError };
      return response.ok ? onOk(response.data) : refusal(response.error);
    } catch {
      return { kind: "retry", reason: "ack timeout" };
    }
  };
  const toAck = (data: { status: "stored" | "duplicate" }): TSendResult => ({ kind: "ack", status: data.status });
  return {
    send: (kind, body) => emit(kind === "heart-rate" ? "heart-rate:batch" : "glucose:batch", body, toAck),
    sendUpload: (_kind, bodies) => emit("heart-rate:batches", { batches: bodies }, (data: { results: TUploadBatchResultData[] }) => toUploadResult(data.results)),
    onEcgRequest(handler) {
      socket.on("ecg:request", handler);
    },
    sendStrip: (body) => emit("ecg:strip", body, toAck),
    close() {
      socket.close();
    },
  };
}
