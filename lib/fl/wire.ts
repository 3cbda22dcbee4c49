// What crosses the network between a hospital participant and the server in a federated round: the JSON
// bodies (keys and shares base64) and the binary bodies (weights and masked vectors as little-endian
// arrays). Schemas and codecs live here so the routes, the hospital process and the evaluation that
// counts bytes on the wire all use the same encoding.
import { z } from "zod";
import { AppError } from "../errors/app-error";
import type { TAdvertisedKeys, TEncryptedShare, TRoster, TUnmaskRequest, TUnmaskResponse } from "./secagg";

const ZBase64Schema = (bytes?: { min?: number; max?: number; exact?: number }) =>
  z
    .string()
    .max(4096)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64")
    .transform((text, context) => {
      const decoded = new Uint8Array(Buffer.from(text, "base64"));
      const wrong =
        (bytes?.exact !== undefined && decoded.byteLength !== bytes.exact) ||
        (bytes?.min !== undefined && decoded.byteLength < bytes.min) ||
        (bytes?.max !== undefined && decoded.byteLength > bytes.max);
      if (wrong) context.addIssue({ code: "custom", message: bytes?.exact !== undefined ? `must decode to ${bytes.exact} bytes` : "has the wrong length" });
      return decoded;
    });

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

export const ZAdvertiseKeysBodySchema = z.object({ cPublicKey: ZBase64Schema({ exact: 32 }), sPublicKey: ZBase64Schema({ exact: 32 }) }).strict();

// An encrypted share pair: 4-byte index + two 66-byte Shamir shares, AES-GCM (+16 tag); iv 12 bytes.
const ZEncryptedShareBodySchema = z.object({ to: z.uuid(), iv: ZBase64Schema({ exact: 12 }), ciphertext: ZBase64Schema({ min: 16, max: 512 }) }).strict();
export const ZShareKeysBodySchema = z.object({ shares: z.array(ZEncryptedShareBodySchema).min(2).max(256) }).strict();

const ZShareBodySchema = z.object({ of: z.uuid(), x: z.number().int().min(1).max(256), y: ZBase64Schema({ exact: 66 }) }).strict();
export const ZUnmaskBodySchema = z.object({ selfMaskShares: z.array(ZShareBodySchema).max(256), maskKeyShares: z.array(ZShareBodySchema).max(256) }).strict();

export function encodeAdvertiseBody(keys: TAdvertisedKeys) {
  return { cPublicKey: toBase64(keys.cPublicKey), sPublicKey: toBase64(keys.sPublicKey) };
}

export function encodeShareKeysBody(shares: TEncryptedShare[]) {
  return { shares: shares.map((share) => ({ to: share.to, iv: toBase64(share.iv), ciphertext: toBase64(share.ciphertext) })) };
}

export function encodeUnmaskBody(response: TUnmaskResponse) {
  const encode = (items: TUnmaskResponse["selfMaskShares"]) => items.map((item) => ({ of: item.of, x: item.share.x, y: toBase64(item.share.y) }));
  return { selfMaskShares: encode(response.selfMaskShares), maskKeyShares: encode(response.maskKeyShares) };
}

export function decodeUnmaskBody(body: z.infer<typeof ZUnmaskBodySchema>, context: { roundId: string; from: string }): TUnmaskResponse {
  const decode = (items: z.infer<typeof ZUnmaskBodySchema>["selfMaskShares"]) => items.map((item) => ({ of: item.of, share: { x: item.x, y: item.y } }));
  return { roundId: context.roundId, from: context.from, selfMaskShares: decode(body.selfMaskShares), maskKeyShares: decode(body.maskKeyShares) };
}

// What the server tells a participant about a round (GET .../rounds/{id}): enough to take its next step.
const ZRosterEntryWireSchema = z.object({ participantId: z.uuid(), index: z.number().int().min(1), cPublicKey: ZBase64Schema({ exact: 32 }), sPublicKey: ZBase64Schema({ exact: 32 }) });
const ZRelayedShareWireSchema = z.object({ from: z.uuid(), to: z.uuid(), iv: ZBase64Schema({ exact: 12 }), ciphertext: ZBase64Schema({ min: 16, max: 512 }) });

export const ROUND_STAGES = ["ADVERTISING", "SHARING", "MASKING", "UNMASKING", "DONE", "FAILED"] as const;
export const ZRoundStageSchema = z.enum(ROUND_STAGES);
export type TRoundStage = z.infer<typeof ZRoundStageSchema>;

export const PARTICIPANT_STATUSES = ["SELECTED", "ADVERTISED", "SHARED", "UPLOADED", "UNMASKED", "DROPPED"] as const;
export const ZParticipantStatusSchema = z.enum(PARTICIPANT_STATUSES);
export type TParticipantStatus = z.infer<typeof ZParticipantStatusSchema>;

export const ZRoundConfigSchema = z
  .object({
    /** Shamir threshold t: at least t participants must survive to the end. */
    threshold: z.number().int().min(2).max(256),
    clipNorm: z.number().positive().max(100),
    sampleCap: z.number().int().positive().max(1_000_000),
    /** Per-participant DP noise as a multiple of clipNorm; 0 turns DP off. */
    noiseStdPerParticipant: z.number().min(0).max(10),
    localEpochs: z.number().int().min(1).max(20),
    /**
     * Server momentum (FedAvgM, Hsu et al. 2019): v = beta v + averaged update, global += v, with v carried
     * from the round that produced the base version. 0 is plain FedAvg.
     */
    serverMomentum: z.number().min(0).max(0.99).default(0),
    learningRate: z.number().positive().max(0.1),
    batchSize: z.number().int().min(8).max(512),
    /** Seconds the hospitals have to train locally and advertise their keys (the first stage). */
    trainingTimeoutS: z.number().int().min(5).max(86_400),
    /** Seconds each later stage stays open for stragglers once the round has moved into it. */
    stageTimeoutS: z.number().int().min(5).max(86_400),
  })
  .strict();
export type TRoundConfig = z.infer<typeof ZRoundConfigSchema>;

export const ZParticipantRoundViewSchema = z.object({
  round: z.object({
    id: z.uuid(),
    modelName: z.string(),
    stage: ZRoundStageSchema,
    config: ZRoundConfigSchema,
    /** Seats selected when the round started: the fixed-point scale of the ring (getRingParameters) uses it. */
    participants: z.number().int(),
    parameterCount: z.number().int().positive(),
    classCount: z.number().int().positive(),
    vectorLength: z.number().int().positive(),
    baseVersion: z.object({ id: z.uuid(), name: z.string(), version: z.number().int(), sha256: z.string() }),
    stageDeadlineAt: z.string(),
  }),
  you: z.object({ participantId: z.uuid(), status: ZParticipantStatusSchema }),
  roster: z.object({ threshold: z.number().int(), entries: z.array(ZRosterEntryWireSchema) }).nullable(),
  shares: z.array(ZRelayedShareWireSchema).nullable(),
  unmaskRequest: z.object({ survivors: z.array(z.uuid()), dropped: z.array(z.uuid()) }).nullable(),
});
export type TParticipantRoundView = z.output<typeof ZParticipantRoundViewSchema>;

export function encodeRosterWire(roster: TRoster) {
  return {
    threshold: roster.threshold,
    entries: roster.entries.map((entry) => ({ participantId: entry.participantId, index: entry.index, cPublicKey: toBase64(entry.cPublicKey), sPublicKey: toBase64(entry.sPublicKey) })),
  };
}

export function encodeRelayedSharesWire(shares: TEncryptedShare[]) {
  return shares.map((share) => ({ from: share.from, to: share.to, iv: toBase64(share.iv), ciphertext: toBase64(share.ciphertext) }));
}

export function toRoster(roundId: string, wire: NonNullable<TParticipantRoundView["roster"]>): TRoster {
  return { roundId, threshold: wire.threshold, entries: wire.entries };
}

export function toUnmaskRequest(roundId: string, wire: NonNullable<TParticipantRoundView["unmaskRequest"]>): TUnmaskRequest {
  return { roundId, survivors: wire.survivors, dropped: wire.dropped };
}

/** Little-endian bytes of a Uint32Array / Float32Array (the binary bodies). */
export function toLittleEndianBytes(values: Uint32Array | Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  if (values instanceof Uint32Array) values.forEach((value, index) => view.setUint32(index * 4, value, true));
  else values.forEach((value, index) => view.setFloat32(index * 4, value, true));
  return bytes;
}

export function readUint32LittleEndian(bytes: Uint8Array, expectedLength: number): Uint32Array {
  if (bytes.byteLength !== expectedLength * 4) {
    throw new AppError("VALIDATION_FAILED", { message: `masked vector must be ${expectedLength} little-endian uint32 values (${expectedLength * 4} bytes), got ${bytes.byteLength} bytes`, fields: [{ path: "body", message: "wrong length" }] });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(expectedLength);
  for (let index = 0; index < expectedLength; index += 1) out[index] = view.getUint32(index * 4, true);
  return out;
}

export function readFloat32LittleEndian(bytes: Uint8Array, expectedLength: number): Float32Array {
  if (bytes.byteLength !== expectedLength * 4) throw new AppError("VALIDATION_FAILED", { message: `weights must be ${expectedLength} float32 values, got ${bytes.byteLength} bytes` });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(expectedLength);
  for (let index = 0; index < expectedLength; index += 1) out[index] = view.getFloat32(index * 4, true);
  return out;
}

/** Bytes of a JSON body as sent (for the cost report). */
export const getJsonBytes = (body: unknown) => Buffer.byteLength(JSON.stringify(body));
