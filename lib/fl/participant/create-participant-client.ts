// A hospital participant's HTTP client for the federated-training API (/api/fl/participant/*), with the
// hospital's bearer credential. Runs on the hospital's own machine (workers/hospital), never in the server.
import { createHash } from "node:crypto";
import { z } from "zod";
import { readFloat32LittleEndian, toLittleEndianBytes, ZParticipantRoundViewSchema, ZParticipantStatusSchema, ZRoundStageSchema, type TParticipantRoundView } from "../wire";

export class ParticipantApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ParticipantApiError";
  }
}

const ZRoundListSchema = z.object({
  rounds: z.array(z.object({ id: z.uuid(), modelName: z.string(), stage: ZRoundStageSchema, status: ZParticipantStatusSchema, startedAt: z.string() })),
});
const ZErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export type TParticipantClient = ReturnType<typeof createParticipantClient>;

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function createParticipantClient(options: { serverUrl: string; credential: string; fetchImpl?: typeof fetch }) {
  const fetchImpl = options.fetchImpl ?? fetch;
  const base = options.serverUrl.replace(/\/$/, "");
  let bytesSent = 0;
  let bytesReceived = 0;

  async function call(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetchImpl(`${base}/api/fl/participant${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${options.credential}` } });
    if (!response.ok) {
      const parsed = ZErrorBodySchema.safeParse(parseJsonOrNull(await response.text()));
      throw new ParticipantApiError(response.status, parsed.success ? parsed.data.error.code : "HTTP_ERROR", parsed.success ? parsed.data.error.message : `HTTP ${response.status}`);
    }
    return response;
  }

  async function getJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const text = await (await call(path)).text();
    bytesReceived += Buffer.byteLength(text);
    return schema.parse(JSON.parse(text));
  }

  return {
    listRounds: () => getJson("/rounds", ZRoundListSchema).then((body) => body.rounds),
    getView: (roundId: string): Promise<TParticipantRoundView> => getJson(`/rounds/${roundId}`, ZParticipantRoundViewSchema),
    /** The global weights, checked against the sha256 the round names before anyone trains on them. */
    async getWeights(roundId: string, expected: { sha256: string; parameterCount: number }): Promise<Float32Array> {
      const bytes = new Uint8Array(await (await call(`/rounds/${roundId}/weights`)).arrayBuffer());
      bytesReceived += bytes.byteLength;
      if (createHash("sha256").update(bytes).digest("hex") !== expected.sha256) throw new ParticipantApiError(0, "INTEGRITY", "the global weights do not match the round's sha256");
      return readFloat32LittleEndian(bytes, expected.parameterCount);
    },
    async postJson(roundId: string, step: "keys" | "shares" | "unmask", body: unknown): Promise<void> {
      const text = JSON.stringify(body);
      bytesSent += Buffer.byteLength(text);
      await call(`/rounds/${roundId}/${step}`, { method: "POST", headers: { "content-type": "application/json" }, body: text });
    },
    async postMasked(roundId: string, masked: Uint32Array): Promise<void> {
      const bytes = toLittleEndianBytes(masked);
      bytesSent += bytes.byteLength;
      await call(`/rounds/${roundId}/masked`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: Buffer.from(bytes) });
    },
    traffic: () => ({ bytesSent, bytesReceived }),
  };
}
