// Thin device clients for the benchmark: one socket.io connection per watch on the /device namespace,
// or plain HTTP POSTs over a shared keep-alive pool. Unlike the simulator's transports these expose
// the connection itself, so thousands can be opened in waves and counted.
import http from "node:http";
import { io, type Socket } from "socket.io-client";
import type { DeviceClientToServerEvents, DeviceServerToClientEvents, TAckError, TIngestAckData, TUploadBatchResultData } from "../../lib/realtime/events";
import type { TBenchDevice } from "./bench-database";
import { refusal, toUploadResult } from "../../workers/simulator/transports";
import { sleep } from "./stats";

export type TSendOutcome =
  | { kind: "ack"; status: "stored" | "duplicate" }
  | { kind: "retry"; afterMs?: number; reason: string }
  | { kind: "rejected"; code: string; message: string };

/** An upload of several batches: answered per batch, or refused (or to be retried) as a whole. */
export type TUploadOutcome = { kind: "results"; results: TSendOutcome[] } | Exclude<TSendOutcome, { kind: "ack" }>;

export type TDeviceClient = {
  send(body: unknown): Promise<TSendOutcome>;
  /** `{ batches: bodies }` in one request ("heart-rate:batches", or the same POST with `batches`). */
  sendUpload(bodies: unknown[]): Promise<TUploadOutcome>;
  close(): void;
};

export type TTransportKind = "socket" | "http";

const REQUEST_TIMEOUT_MS = 15_000;

type TDeviceSocket = Socket<DeviceServerToClientEvents, DeviceClientToServerEvents>;

function createSocketClient(baseUrl: string, device: TBenchDevice): { client: TDeviceClient; connected: Promise<boolean> } {
  const socket: TDeviceSocket = io(`${baseUrl}/device`, {
    transports: ["websocket"],
    auth: { token: device.token },
    // One connection per watch: without forceNew socket.io would multiplex them over one.
    forceNew: true,
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 10_000,
    timeout: 30_000,
  });
  const connected = new Promise<boolean>((resolve) => {
    socket.once("connect", () => resolve(true));
    // A refused handshake (bad token) is final; a transport error is retried by socket.io itself.
    socket.on("connect_error", (error) => {
      if (!socket.active) resolve(false);
      else if (error.message === "timeout") resolve(false);
    });
  });
  return {
    connected,
    client: {
      async send(body) {
        if (!socket.connected) return { kind: "retry", reason: "disconnected", afterMs: 250 };
        try {
          const response = (await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck("heart-rate:batch", body)) as
            | { ok: true; data: TIngestAckData }
            | { ok: false; error: TAckError };
          return response.ok ? { kind: "ack", status: response.data.status } : refusal(response.error);
        } catch {
          return { kind: "retry", reason: "ack timeout" };
        }
      },
      async sendUpload(bodies) {
        if (!socket.connected) return { kind: "retry", reason: "disconnected", afterMs: 250 };
        try {
          const response = (await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck("heart-rate:batches", { batches: bodies })) as
            | { ok: true; data: { results: TUploadBatchResultData[] } }
            | { ok: false; error: TAckError };
          return response.ok ? toUploadResult(response.data.results) : refusal(response.error);
        } catch {
          return { kind: "retry", reason: "ack timeout" };
        }
      },
      close: () => void socket.close(),
    },
  };
}

function postJson(agent: http.Agent, signal: AbortSignal, url: URL, token: string, body: unknown): Promise<{ status: number; retryAfter: string | undefined; text: string }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: "POST",
        agent,
        // Also cancels requests still waiting in the agent's queue for a free connection.
        signal,
        headers: { "content-type": "application/json", "content-length": payload.length, authorization: `Bearer ${token}` },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers["retry-after"], text: Buffer.concat(chunks).toString() }));
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", reject);
    request.end(payload);
  });
}

type TResponseBody = { ack?: { status: "stored" | "duplicate" }; results?: TUploadBatchResultData[]; error?: { code: string; message: string } };

function createHttpClient(agent: http.Agent, signal: AbortSignal, baseUrl: string, device: TBenchDevice): TDeviceClient {
  const url = new URL(`/api/devices/${device.deviceId}/heart-rate`, baseUrl);
  /** POSTs the body; a 200 goes to `onOk` (undefined when its body is incomplete), anything else is a refusal. */
  const post = async <T>(body: unknown, onOk: (parsed: TResponseBody | null) => T | undefined): Promise<T | Exclude<TSendOutcome, { kind: "ack" }>> => {
    let response: Awaited<ReturnType<typeof postJson>>;
    try {
      response = await postJson(agent, signal, url, device.token, body);
    } catch (error) {
      return { kind: "retry", reason: error instanceof Error ? error.message : "network" };
    }
    let parsed: TResponseBody | null;
    try {
      parsed = JSON.parse(response.text) as TResponseBody;
    } catch {
      parsed = null;
    }
    if (response.status === 200) return onOk(parsed) ?? { kind: "retry", reason: "incomplete response" };
    if (response.status === 429 || response.status === 408 || response.status >= 500) {
      const retryAfterS = Number(response.retryAfter);
      return { kind: "retry", reason: `http ${response.status}`, afterMs: Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : undefined };
    }
    return { kind: "rejected", code: parsed?.error?.code ?? `HTTP_${response.status}`, message: parsed?.error?.message ?? response.text.slice(0, 200) };
  };
  return {
    send: (body) => post<TSendOutcome>(body, (parsed) => (parsed?.ack ? { kind: "ack", status: parsed.ack.status } : undefined)),
    sendUpload: (bodies) => post<TUploadOutcome>({ batches: bodies }, (parsed) => (parsed?.results ? toUploadResult(parsed.results) : undefined)),
    close() {},
  };
}

export type TClientPool = { clients: TDeviceClient[]; connected: number; close(): void };

/**
 * Opens one client per device. Sockets are opened in waves (each wave waits for its handshakes), so
 * the server authenticates a few hundred at a time instead of all at once; HTTP clients share one
 * keep-alive pool, as a fleet behind a gateway would.
 */
export async function openClientPool(options: {
  transport: TTransportKind;
  baseUrl: string;
  devices: TBenchDevice[];
  wave?: number;
  maxHttpSockets?: number;
  onProgress?: (connected: number, failed: number, total: number) => void;
}): Promise<TClientPool> {
  const { devices } = options;
  if (options.transport === "http") {
    const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxHttpSockets ?? 256 });
    const aborter = new AbortController();
    return {
      clients: devices.map((device) => createHttpClient(agent, aborter.signal, options.baseUrl, device)),
      connected: devices.length,
      close() {
        aborter.abort();
        agent.destroy();
      },
    };
  }
  const wave = options.wave ?? 250;
  const clients: TDeviceClient[] = [];
  let connected = 0;
  let failed = 0;
  let lastProgress = 0;
  for (let start = 0; start < devices.length; start += wave) {
    const opened = devices.slice(start, start + wave).map((device) => createSocketClient(options.baseUrl, device));
    clients.push(...opened.map((entry) => entry.client));
    const results = await Promise.all(opened.map((entry) => entry.connected));
    connected += results.filter(Boolean).length;
    failed += results.filter((ok) => !ok).length;
    if (performance.now() - lastProgress > 2_000 || start + wave >= devices.length) {
      lastProgress = performance.now();
      options.onProgress?.(connected, failed, devices.length);
    }
  }
  return { clients, connected, close: () => clients.forEach((client) => client.close()) };
}

/** Retry wait: the server's Retry-After when given, else exponential back-off with full jitter. */
export function retryDelayMs(attempt: number, afterMs: number | undefined): number {
  const backoffMs = Math.random() * Math.min(10_000, 250 * 2 ** Math.min(attempt, 8));
  return Math.max(afterMs ?? 0, backoffMs);
}

/**
 * Sends an upload until every batch in it is acknowledged or refused for good: a batch the server asks
 * to retry goes again in the next upload, with what else is still unsettled. Outcomes in `bodies` order.
 */
export async function sendUploadUntilSettled(
  client: TDeviceClient,
  bodies: unknown[],
  options: { isStopped: () => boolean; onRetry: (reason: string) => void },
): Promise<(TSendOutcome | { kind: "abandoned" })[]> {
  const outcomes: (TSendOutcome | { kind: "abandoned" })[] = bodies.map(() => ({ kind: "abandoned" }));
  let pending = bodies.map((_, index) => index);
  for (let attempt = 1; pending.length > 0 && !options.isStopped(); attempt += 1) {
    const outcome = await client.sendUpload(pending.map((index) => bodies[index]));
    let retry: { reason: string; afterMs?: number } | undefined;
    if (outcome.kind === "results") {
      const unsettled: number[] = [];
      pending.forEach((index, position) => {
        const result = outcome.results[position] ?? { kind: "retry", reason: "missing result" };
        if (result.kind !== "retry") outcomes[index] = result;
        else {
          unsettled.push(index);
          retry ??= result;
        }
      });
      pending = unsettled;
    } else if (outcome.kind === "rejected") {
      for (const index of pending) outcomes[index] = outcome;
      pending = [];
    } else {
      retry = outcome;
    }
    if (!retry) break;
    options.onRetry(retry.reason);
    await sleep(retryDelayMs(attempt, retry.afterMs));
  }
  return outcomes;
}

/** Sends one batch until it is acknowledged or refused for good; reports each retry. */
export async function sendUntilSettled(
  client: TDeviceClient,
  body: unknown,
  options: { isStopped: () => boolean; onRetry: (reason: string) => void },
): Promise<TSendOutcome | { kind: "abandoned" }> {
  for (let attempt = 1; ; attempt += 1) {
    if (options.isStopped()) return { kind: "abandoned" };
    const outcome = await client.send(body);
    if (outcome.kind !== "retry") return outcome;
    options.onRetry(outcome.reason);
    await sleep(retryDelayMs(attempt, outcome.afterMs));
  }
}
