// Server-only. A hospital's message for the current stage of a round: round keys, encrypted shares, the
// masked update, unmasking shares. Each is checked by the protocol before it is stored; a message that
// is malformed or breaks the protocol gets a clear rejection and its sender is dropped from the round,
// which goes on without it (Bonawitz et al. handle a dropped participant exactly like one that went
// silent). A message for another stage or a repeat of one already taken is refused and changes nothing.
import { ZodError } from "zod";
import type { TDb } from "../../db/create-prisma-client";
import { AppError, isAppError } from "../../errors/app-error";
import { getLogger } from "../../log/logger";
import type { THospitalParticipant } from "../credentials/authenticate-hospital-credential";
import { assertUsablePublicKey } from "../secagg";
import { decodeUnmaskBody, encodeShareKeysBody, readUint32LittleEndian, ZAdvertiseKeysBodySchema, ZShareKeysBodySchema, ZUnmaskBodySchema } from "../wire";
import { advanceRound } from "./advance-round";
import { loadSeatedRoundOrThrow } from "./participant-rounds";
import { lockRound, loadRound, replayAggregator, type TStoredRound, type TStoredSeat } from "./round-state";

export const ROUND_STEPS = ["keys", "shares", "masked", "unmask"] as const;
export type TRoundStep = (typeof ROUND_STEPS)[number];

const STEP_STAGE: Record<TRoundStep, TStoredRound["stage"]> = { keys: "ADVERTISING", shares: "SHARING", masked: "MASKING", unmask: "UNMASKING" };
const STEP_FROM: Record<TRoundStep, TStoredSeat["status"]> = { keys: "SELECTED", shares: "ADVERTISED", masked: "SHARED", unmask: "UPLOADED" };

/** The body as read by the route: parsed JSON for keys/shares/unmask, raw bytes for the masked vector. */
export type TRoundMessageBody = { kind: "json"; read: () => Promise<unknown> } | { kind: "binary"; read: () => Promise<Uint8Array> };

function assertStepAllowed(round: TStoredRound, seat: TStoredSeat, step: TRoundStep): void {
  if (seat.status === "DROPPED") throw new AppError("CONFLICT", { message: `this hospital was dropped from the round (${seat.dropReason ?? "no reason recorded"})` });
  if (round.stage !== STEP_STAGE[step]) throw new AppError("CONFLICT", { message: `the round is in stage ${round.stage}; ${step} belong to ${STEP_STAGE[step]}` });
  if (seat.status !== STEP_FROM[step]) throw new AppError("CONFLICT", { message: `${step} already received from this hospital (replays are refused)` });
}

const isBadInput = (error: unknown) =>
  error instanceof ZodError || (isAppError(error) && ["VALIDATION_FAILED", "BAD_REQUEST", "MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"].includes(error.code));

export async function submitRoundMessage(options: {
  db: TDb;
  participant: THospitalParticipant;
  roundId: string;
  step: string;
  body: TRoundMessageBody;
  now?: Date;
  publishRound?: (roundId: string) => void;
}): Promise<{ status: TStoredSeat["status"]; stage: TStoredRound["stage"] }> {
  const { db, participant } = options;
  if (!(ROUND_STEPS as readonly string[]).includes(options.step)) throw new AppError("NOT_FOUND", { message: `no step ${options.step}; steps are ${ROUND_STEPS.join(", ")}` });
  const step = options.step as TRoundStep;
  const round = await loadSeatedRoundOrThrow({ db, participant, roundId: options.roundId });
  assertStepAllowed(round, round.seats.find((seat) => seat.hospitalId === participant.hospitalId)!, step);

  try {
    const body = await options.body.read();
    const result = await db.$transaction(
      async (tx) => {
        await lockRound(tx, round.id);
        const locked = (await loadRound(tx, round.id, { withMasked: true }))!;
        const seat = locked.seats.find((candidate) => candidate.hospitalId === participant.hospitalId)!;
        assertStepAllowed(locked, seat, step);
        const now = options.now ?? new Date();
        const where = { roundId_hospitalId: { roundId: locked.id, hospitalId: seat.hospitalId } };
        if (step === "keys") {
          const keys = ZAdvertiseKeysBodySchema.parse(body);
          // A low-order key would make every peer's key agreement with this hospital fail: refused
          // here, its sender alone is dropped (below) and the round goes on.
          assertUsablePublicKey(keys.cPublicKey, "cPublicKey");
          assertUsablePublicKey(keys.sPublicKey, "sPublicKey");
          await tx.federatedParticipant.update({ where, data: { status: "ADVERTISED", cPublicKey: keys.cPublicKey, sPublicKey: keys.sPublicKey, advertisedAt: now } });
          Object.assign(seat, { status: "ADVERTISED", cPublicKey: keys.cPublicKey, sPublicKey: keys.sPublicKey, advertisedAt: now });
        } else if (step === "shares") {
          const parsed = ZShareKeysBodySchema.parse(body);
          const shares = parsed.shares.map((share) => ({ from: seat.hospitalId, to: share.to, iv: share.iv, ciphertext: share.ciphertext }));
          replayAggregator(locked, "SHARING").submitShares({ roundId: locked.id, from: seat.hospitalId, shares });
          const stored = encodeShareKeysBody(shares).shares;
          await tx.federatedParticipant.update({ where, data: { status: "SHARED", shares: stored } });
          Object.assign(seat, { status: "SHARED", shares: stored });
        } else if (step === "masked") {
          const masked = readUint32LittleEndian(body as Uint8Array, locked.vectorLength);
          replayAggregator(locked, "MASKING").submitMasked({ roundId: locked.id, from: seat.hospitalId, masked });
          await tx.federatedParticipant.update({ where, data: { status: "UPLOADED", masked: new Uint8Array(body as Uint8Array), uploadedAt: now } });
          Object.assign(seat, { status: "UPLOADED", masked: body, uploadedAt: now });
        } else {
          const parsed = ZUnmaskBodySchema.parse(body);
          replayAggregator(locked, "UNMASKING").submitUnmasking(decodeUnmaskBody(parsed, { roundId: locked.id, from: seat.hospitalId }));
          const stored = { selfMaskShares: parsed.selfMaskShares.map((item) => ({ ...item, y: Buffer.from(item.y).toString("base64") })), maskKeyShares: parsed.maskKeyShares.map((item) => ({ ...item, y: Buffer.from(item.y).toString("base64") })) };
          await tx.federatedParticipant.update({ where, data: { status: "UNMASKED", unmaskResponse: stored } });
          Object.assign(seat, { status: "UNMASKED", unmaskResponse: stored });
        }
        const { stage } = await advanceRound(tx, locked, { now, deadlinePassed: false });
        return { status: seat.status, stage };
      },
      { timeout: 60_000 },
    );
    options.publishRound?.(round.id);
    return result;
  } catch (error) {
    if (isBadInput(error)) await dropForBadInput({ db, roundId: round.id, hospitalId: participant.hospitalId, step, now: options.now, reason: error instanceof ZodError ? "malformed message" : (error as AppError).message });
    options.publishRound?.(round.id);
    throw error;
  }
}

async function dropForBadInput(options: { db: TDb; roundId: string; hospitalId: string; step: TRoundStep; reason: string; now?: Date }): Promise<void> {
  await options.db.$transaction(
    async (tx) => {
      await lockRound(tx, options.roundId);
      const round = (await loadRound(tx, options.roundId, { withMasked: true }))!;
      const seat = round.seats.find((candidate) => candidate.hospitalId === options.hospitalId)!;
      // Only a hospital still expected to send this message is dropped (a refused replay changes nothing).
      if (round.stage !== STEP_STAGE[options.step] || seat.status !== STEP_FROM[options.step]) return;
      const dropReason = `rejected ${options.step}: ${options.reason}`.slice(0, 300);
      await tx.federatedParticipant.update({ where: { roundId_hospitalId: { roundId: round.id, hospitalId: seat.hospitalId } }, data: { status: "DROPPED", dropReason } });
      seat.status = "DROPPED";
      getLogger().warn({ roundId: round.id, hospitalId: seat.hospitalId, step: options.step }, "federated participant dropped for a rejected message");
      await advanceRound(tx, round, { now: options.now ?? new Date(), deadlinePassed: false });
    },
    { timeout: 60_000 },
  );
}
