// Server-only. A round's state lives in the database (FederatedRound + one FederatedParticipant row per
// seat), so any instance can take the next message and a restart loses nothing. The protocol checks are
// the aggregator's (lib/fl/secagg): it is rebuilt from the stored messages whenever one is needed.
import type { TTx } from "../../db/create-prisma-client";
import { AppError } from "../../errors/app-error";
import { createSecAggAggregator, type TEncryptedShare, type TSecAggAggregator, type TUnmaskRequest } from "../secagg";
import { readUint32LittleEndian, ZRoundConfigSchema, type TRoundConfig } from "../wire";
import { z } from "zod";

export const ROUND_SEAT_SELECT = {
  roundId: true,
  hospitalId: true,
  credentialId: true,
  status: true,
  rosterIndex: true,
  cPublicKey: true,
  sPublicKey: true,
  shares: true,
  masked: true,
  unmaskResponse: true,
  dropReason: true,
  advertisedAt: true,
  uploadedAt: true,
  updatedAt: true,
} as const;

export type TStoredSeat = {
  roundId: string;
  hospitalId: string;
  credentialId: string;
  status: "SELECTED" | "ADVERTISED" | "SHARED" | "UPLOADED" | "UNMASKED" | "DROPPED";
  rosterIndex: number | null;
  cPublicKey: Uint8Array | null;
  sPublicKey: Uint8Array | null;
  shares: unknown;
  masked: Uint8Array | null;
  unmaskResponse: unknown;
  dropReason: string | null;
  advertisedAt: Date | null;
  uploadedAt: Date | null;
  updatedAt: Date;
};

export type TStoredRound = {
  id: string;
  modelName: string;
  stage: "ADVERTISING" | "SHARING" | "MASKING" | "UNMASKING" | "DONE" | "FAILED";
  threshold: number;
  config: TRoundConfig;
  vectorLength: number;
  rosterSize: number | null;
  unmaskRequest: TUnmaskRequest | null;
  stageDeadlineAt: Date;
  baseVersionId: string;
  startedAt: Date;
  seats: TStoredSeat[];
};

const ZStoredSharesSchema = z.array(z.object({ to: z.string(), iv: z.string(), ciphertext: z.string() }));
const ZStoredUnmaskSchema = z.object({
  selfMaskShares: z.array(z.object({ of: z.string(), x: z.number(), y: z.string() })),
  maskKeyShares: z.array(z.object({ of: z.string(), x: z.number(), y: z.string() })),
});
const ZStoredUnmaskRequestSchema = z.object({ survivors: z.array(z.string()), dropped: z.array(z.string()) });

export const ACTIVE_STAGES = ["ADVERTISING", "SHARING", "MASKING", "UNMASKING"] as const;

/** Serialises every change to one round across connections and instances (held to the end of the transaction). */
export async function lockRound(tx: TTx, roundId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`fl-round:${roundId}`}))`;
}

/**
 * The round and its seats. Masked vectors (the model's size x 4 bytes each) are read only when the
 * protocol needs them (withMasked): hospitals poll the round every second or two.
 */
export async function loadRound(tx: TTx, roundId: string, options: { withMasked?: boolean } = {}): Promise<TStoredRound | null> {
  const row = await tx.federatedRound.findUnique({
    where: { id: roundId },
    select: {
      id: true,
      modelName: true,
      stage: true,
      threshold: true,
      config: true,
      vectorLength: true,
      rosterSize: true,
      unmaskRequest: true,
      stageDeadlineAt: true,
      baseVersionId: true,
      startedAt: true,
      participants: { select: { ...ROUND_SEAT_SELECT, masked: options.withMasked ?? false }, orderBy: { hospitalId: "asc" } },
    },
  });
  if (!row) return null;
  return {
    ...row,
    config: ZRoundConfigSchema.parse(row.config),
    unmaskRequest: row.unmaskRequest ? { roundId: row.id, ...ZStoredUnmaskRequestSchema.parse(row.unmaskRequest) } : null,
    seats: row.participants.map((seat) => ({ ...seat, masked: seat.masked ?? null })),
  };
}

export function storedSharesOf(seat: TStoredSeat): TEncryptedShare[] {
  if (!seat.shares) return [];
  return ZStoredSharesSchema.parse(seat.shares).map((share) => ({
    from: seat.hospitalId,
    to: share.to,
    iv: new Uint8Array(Buffer.from(share.iv, "base64")),
    ciphertext: new Uint8Array(Buffer.from(share.ciphertext, "base64")),
  }));
}

export function storedUnmaskOf(seat: TStoredSeat, roundId: string) {
  const body = ZStoredUnmaskSchema.parse(seat.unmaskResponse);
  const decode = (items: typeof body.selfMaskShares) => items.map((item) => ({ of: item.of, share: { x: item.x, y: new Uint8Array(Buffer.from(item.y, "base64")) } }));
  return { roundId, from: seat.hospitalId, selfMaskShares: decode(body.selfMaskShares), maskKeyShares: decode(body.maskKeyShares) };
}

export const maskedOf = (seat: TStoredSeat): Uint32Array => readUint32LittleEndian(seat.masked!, seat.masked!.byteLength / 4);

/** Round and model-version ids are UUIDs; anything else is answered like an id that does not exist. */
export const isUuid = (value: string) => z.uuid().safeParse(value).success;

const SHARED_OR_LATER = new Set(["SHARED", "UPLOADED", "UNMASKED"]);

/**
 * The aggregator with every stored message of the stages before `stage` replayed, ready to check a new
 * message of `stage`. Messages are replayed in a fixed order (roster index), so the roster and the
 * unmasking request come out exactly as they were stored.
 */
export function replayAggregator(round: TStoredRound, stage: "SHARING" | "MASKING" | "UNMASKING"): TSecAggAggregator {
  const aggregator = createSecAggAggregator({ roundId: round.id, threshold: round.threshold, vectorLength: round.vectorLength });
  const rostered = round.seats.filter((seat) => seat.rosterIndex !== null).sort((a, b) => a.rosterIndex! - b.rosterIndex!);
  for (const seat of rostered) aggregator.advertise({ participantId: seat.hospitalId, cPublicKey: seat.cPublicKey!, sPublicKey: seat.sPublicKey! });
  const roster = aggregator.closeAdvertising();
  if (!roster || roster.entries.some((entry, position) => entry.index !== rostered[position]!.rosterIndex)) throw new AppError("INTERNAL", { message: "stored roster does not replay" });
  if (stage === "SHARING") return aggregator;
  for (const seat of rostered) if (seat.shares) aggregator.submitShares({ roundId: round.id, from: seat.hospitalId, shares: storedSharesOf(seat) });
  if (!aggregator.closeSharing()) throw new AppError("INTERNAL", { message: "stored shares do not replay" });
  if (stage === "MASKING") return aggregator;
  const request = round.unmaskRequest!;
  const byId = new Map(round.seats.map((seat) => [seat.hospitalId, seat]));
  for (const id of request.survivors) aggregator.submitMasked({ roundId: round.id, from: id, masked: maskedOf(byId.get(id)!) });
  const replayed = aggregator.closeMasking();
  if (!replayed || replayed.survivors.join() !== request.survivors.join() || replayed.dropped.join() !== request.dropped.join()) {
    throw new AppError("INTERNAL", { message: "stored masked inputs do not replay" });
  }
  return aggregator;
}

export const isSharedOrLater = (seat: TStoredSeat) => SHARED_OR_LATER.has(seat.status);
