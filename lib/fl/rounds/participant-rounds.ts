// Server-only. What a hospital's participant process reads: the rounds it has a seat in, what the
// current stage needs from it (roster, the shares addressed to it, the unmasking request) and the
// global weights. A hospital without a seat gets 404, the same as for a round that does not exist.
import type { TDb } from "../../db/create-prisma-client";
import { AppError } from "../../errors/app-error";
import type { THospitalParticipant } from "../credentials/authenticate-hospital-credential";
import { encodeRelayedSharesWire, encodeRosterWire, type TParticipantStatus, type TRoundStage } from "../wire";
import { isUuid, loadRound, storedSharesOf, type TStoredRound } from "./round-state";

export async function loadSeatedRoundOrThrow(options: { db: TDb; participant: THospitalParticipant; roundId: string }): Promise<TStoredRound> {
  const round = isUuid(options.roundId) ? await loadRound(options.db, options.roundId) : null;
  if (!round || !round.seats.some((seat) => seat.hospitalId === options.participant.hospitalId)) throw new AppError("NOT_FOUND", { message: "No such round for this hospital" });
  return round;
}

export type TParticipantRoundSummary = { id: string; modelName: string; stage: TRoundStage; status: TParticipantStatus; startedAt: string };

/** Rounds this hospital has a seat in that are still running, plus the last few finished ones. */
export async function listParticipantRounds(options: { db: TDb; participant: THospitalParticipant }): Promise<TParticipantRoundSummary[]> {
  const seats = await options.db.federatedParticipant.findMany({
    where: { hospitalId: options.participant.hospitalId },
    select: { status: true, round: { select: { id: true, modelName: true, stage: true, startedAt: true } } },
    orderBy: { round: { startedAt: "desc" } },
    take: 20,
  });
  return seats.map((seat) => ({ id: seat.round.id, modelName: seat.round.modelName, stage: seat.round.stage, status: seat.status, startedAt: seat.round.startedAt.toISOString() }));
}

export async function getParticipantRoundView(options: { db: TDb; participant: THospitalParticipant; roundId: string }) {
  const round = await loadSeatedRoundOrThrow(options);
  const base = await options.db.modelVersion.findUniqueOrThrow({ where: { id: round.baseVersionId }, select: { id: true, name: true, version: true, sha256: true, sizeBytes: true, manifest: true } });
  const me = round.seats.find((seat) => seat.hospitalId === options.participant.hospitalId)!;
  const stageIndex = ["ADVERTISING", "SHARING", "MASKING", "UNMASKING", "DONE", "FAILED"].indexOf(round.stage);
  const rostered = round.seats.filter((seat) => seat.rosterIndex !== null).sort((a, b) => a.rosterIndex! - b.rosterIndex!);
  const roster =
    stageIndex >= 1 && rostered.length > 0
      ? encodeRosterWire({ roundId: round.id, threshold: round.threshold, entries: rostered.map((seat) => ({ participantId: seat.hospitalId, index: seat.rosterIndex!, cPublicKey: seat.cPublicKey!, sPublicKey: seat.sPublicKey! })) })
      : null;
  // The encrypted shares addressed to this hospital, once sharing closed (only then is the set final).
  const shares = stageIndex >= 2 && me.shares ? encodeRelayedSharesWire(round.seats.flatMap((seat) => storedSharesOf(seat).filter((share) => share.to === me.hospitalId))) : null;
  const unmaskRequest = round.unmaskRequest && stageIndex >= 3 ? { survivors: round.unmaskRequest.survivors, dropped: round.unmaskRequest.dropped } : null;
  return {
    round: {
      id: round.id,
      modelName: round.modelName,
      stage: round.stage,
      config: round.config,
      participants: round.seats.length,
      parameterCount: base.sizeBytes / 4,
      classCount: ((base.manifest as { classes?: unknown[] }).classes ?? []).length,
      vectorLength: round.vectorLength,
      baseVersion: { id: base.id, name: base.name, version: base.version, sha256: base.sha256 },
      stageDeadlineAt: round.stageDeadlineAt.toISOString(),
    },
    you: { participantId: me.hospitalId, status: me.status },
    roster,
    shares,
    unmaskRequest,
  };
}

/** The round's global weights (float32 little-endian, the model's weights.bin). */
export async function getRoundBaseWeights(options: { db: TDb; participant: THospitalParticipant; roundId: string }): Promise<{ bytes: Uint8Array; sha256: string }> {
  const round = await loadSeatedRoundOrThrow(options);
  const base = await options.db.modelVersion.findUniqueOrThrow({ where: { id: round.baseVersionId }, select: { weights: true, sha256: true } });
  if (!base.weights) throw new AppError("NOT_FOUND", { message: "the round's base version has no weights" });
  return { bytes: new Uint8Array(base.weights), sha256: base.sha256 };
}
