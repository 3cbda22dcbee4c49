// Server-only. Moves a round to its next stage, when every seat still in it has sent what the stage asks
// for or when the stage's deadline has passed (then the ones that did not are dropped), and ends it:
// the unmasked sum becomes a FedAvg step and a new model version, or the round fails with its reason
// and publishes nothing (fewer than t left at some step).
import { createHash } from "node:crypto";
import type { TTx } from "../../db/create-prisma-client";
import { getLogger } from "../../log/logger";
import { getEpsilon, getTotalNoiseMultiplier } from "../privacy-accounting";
import { decodeAggregate, type TDecodedAggregate } from "../update-vector";
import { getJsonBytes, readFloat32LittleEndian } from "../wire";
import { replayAggregator, storedSharesOf, storedUnmaskOf, maskedOf, type TStoredRound, type TStoredSeat } from "./round-state";
import { assertUsablePublicKey, createSecAggAggregator } from "../secagg";
import { AppError } from "../../errors/app-error";
import type { TRoundMetrics } from "./round-views";

/** The delta of (epsilon, delta)-DP reported with the budget: below 1 / (hospitals in a consortium). */
export const DP_DELTA = 1e-5;

type TActiveStage = "ADVERTISING" | "SHARING" | "MASKING" | "UNMASKING";
/** The status a seat has while the stage still waits for its message. */
const STAGE_WAITING_ON: Record<TActiveStage, TStoredSeat["status"]> = {
  ADVERTISING: "SELECTED",
  SHARING: "ADVERTISED",
  MASKING: "SHARED",
  UNMASKING: "UPLOADED",
};
const DROP_REASON: Record<TActiveStage, string> = {
  ADVERTISING: "sent no keys before the training deadline",
  SHARING: "sent no shares before the deadline",
  MASKING: "sent no masked update before the deadline",
  UNMASKING: "did not answer the unmasking request before the deadline (its update is in the sum)",
};

export type TAdvanceResult = { changed: boolean; stage: TStoredRound["stage"] };

/** Closes the current stage if nobody is pending or `deadlinePassed`; loops while stages keep closing. */
export async function advanceRound(tx: TTx, round: TStoredRound, options: { now: Date; deadlinePassed: boolean }): Promise<TAdvanceResult> {
  let changed = false;
  let current = round;
  for (;;) {
    if (current.stage === "DONE" || current.stage === "FAILED") return { changed, stage: current.stage };
    const waitingOn = STAGE_WAITING_ON[current.stage];
    const pending = current.seats.filter((seat) => seat.status === waitingOn);
    if (pending.length > 0 && !options.deadlinePassed) return { changed, stage: current.stage };
    for (const seat of pending) {
      await tx.federatedParticipant.update({ where: { roundId_hospitalId: { roundId: current.id, hospitalId: seat.hospitalId } }, data: { status: "DROPPED", dropReason: DROP_REASON[current.stage] } });
      seat.status = "DROPPED";
      seat.dropReason = DROP_REASON[current.stage];
    }
    current = await closeStage(tx, current, options.now);
    changed = true;
    // A fresh deadline for the next stage: only an expired one closes it early.
    options = { ...options, deadlinePassed: false };
  }
}

async function fail(tx: TTx, round: TStoredRound, reason: string, now: Date): Promise<TStoredRound> {
  await tx.federatedRound.update({ where: { id: round.id }, data: { stage: "FAILED", failureReason: reason, finishedAt: now } });
  getLogger().warn({ roundId: round.id, stage: round.stage, reason }, "federated round failed");
  return { ...round, stage: "FAILED" };
}

async function closeStage(tx: TTx, round: TStoredRound, now: Date): Promise<TStoredRound> {
  const nextDeadline = new Date(now.getTime() + round.config.stageTimeoutS * 1000);
  if (round.stage === "ADVERTISING") {
    const aggregator = createSecAggAggregator({ roundId: round.id, threshold: round.threshold, vectorLength: round.vectorLength });
    // Keys are checked when posted; keys stored before that check existed are checked again here, so a
    // low-order key drops its sender instead of reaching the roster and failing everyone's agreement.
    for (const seat of round.seats.filter((candidate) => candidate.status === "ADVERTISED")) {
      const unusable = findUnusableKeyReason(seat);
      if (!unusable) continue;
      const dropReason = `rejected keys: ${unusable}`.slice(0, 300);
      await tx.federatedParticipant.update({ where: { roundId_hospitalId: { roundId: round.id, hospitalId: seat.hospitalId } }, data: { status: "DROPPED", dropReason } });
      seat.status = "DROPPED";
      seat.dropReason = dropReason;
    }
    const advertised = round.seats
      .filter((seat) => seat.status === "ADVERTISED")
      .sort((a, b) => a.advertisedAt!.getTime() - b.advertisedAt!.getTime() || a.hospitalId.localeCompare(b.hospitalId));
    for (const seat of advertised) aggregator.advertise({ participantId: seat.hospitalId, cPublicKey: seat.cPublicKey!, sPublicKey: seat.sPublicKey! });
    const roster = aggregator.closeAdvertising();
    if (!roster) return fail(tx, round, aggregator.failure() ?? "too few participants advertised keys", now);
    for (const entry of roster.entries) {
      await tx.federatedParticipant.update({ where: { roundId_hospitalId: { roundId: round.id, hospitalId: entry.participantId } }, data: { rosterIndex: entry.index } });
      advertised.find((seat) => seat.hospitalId === entry.participantId)!.rosterIndex = entry.index;
    }
    await tx.federatedRound.update({ where: { id: round.id }, data: { stage: "SHARING", rosterSize: roster.entries.length, stageDeadlineAt: nextDeadline } });
    return { ...round, stage: "SHARING", rosterSize: roster.entries.length, stageDeadlineAt: nextDeadline };
  }
  if (round.stage === "SHARING") {
    const aggregator = replayAggregator(round, "SHARING");
    for (const seat of round.seats) if (seat.shares) aggregator.submitShares({ roundId: round.id, from: seat.hospitalId, shares: storedSharesOf(seat) });
    if (!aggregator.closeSharing()) return fail(tx, round, aggregator.failure() ?? "too few participants shared keys", now);
    await tx.federatedRound.update({ where: { id: round.id }, data: { stage: "MASKING", stageDeadlineAt: nextDeadline } });
    return { ...round, stage: "MASKING", stageDeadlineAt: nextDeadline };
  }
  if (round.stage === "MASKING") {
    const aggregator = replayAggregator(round, "MASKING");
    const uploaded = round.seats.filter((seat) => seat.masked && (seat.status === "UPLOADED" || seat.status === "UNMASKED")).sort((a, b) => a.rosterIndex! - b.rosterIndex!);
    for (const seat of uploaded) aggregator.submitMasked({ roundId: round.id, from: seat.hospitalId, masked: maskedOf(seat) });
    const request = aggregator.closeMasking();
    if (!request) return fail(tx, round, aggregator.failure() ?? "too few masked updates arrived", now);
    const stored = { survivors: request.survivors, dropped: request.dropped };
    await tx.federatedRound.update({ where: { id: round.id }, data: { stage: "UNMASKING", unmaskRequest: stored, stageDeadlineAt: nextDeadline } });
    return { ...round, stage: "UNMASKING", unmaskRequest: request, stageDeadlineAt: nextDeadline };
  }
  if (round.stage === "UNMASKING") {
    const aggregator = replayAggregator(round, "UNMASKING");
    for (const seat of round.seats) if (seat.status === "UNMASKED" && seat.unmaskResponse) aggregator.submitUnmasking(storedUnmaskOf(seat, round.id));
    const result = aggregator.finish();
    if (!result) return fail(tx, round, aggregator.failure() ?? "too few survivors answered the unmasking request", now);
    return publishResult(tx, round, result, now);
  }
  return round;
}

function findUnusableKeyReason(seat: TStoredSeat): string | null {
  try {
    assertUsablePublicKey(seat.cPublicKey!, "cPublicKey");
    assertUsablePublicKey(seat.sPublicKey!, "sPublicKey");
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : "unusable public key";
  }
}

/** Bytes the server received in the round, as they were sent (JSON bodies, binary masked vectors). */
function countBytesReceived(round: TStoredRound): number {
  let bytes = 0;
  for (const seat of round.seats) {
    if (seat.cPublicKey) bytes += getJsonBytes({ cPublicKey: Buffer.from(seat.cPublicKey).toString("base64"), sPublicKey: Buffer.from(seat.sPublicKey!).toString("base64") });
    if (seat.shares) bytes += getJsonBytes({ shares: seat.shares });
    if (seat.masked) bytes += seat.masked.byteLength;
    if (seat.unmaskResponse) bytes += getJsonBytes(seat.unmaskResponse);
  }
  return bytes;
}

async function publishResult(tx: TTx, round: TStoredRound, result: { sum: Uint32Array; survivors: string[]; dropped: string[] }, now: Date): Promise<TStoredRound> {
  const base = await tx.modelVersion.findUniqueOrThrow({ where: { id: round.baseVersionId }, select: { name: true, version: true, weights: true, manifest: true } });
  if (!base.weights) throw new AppError("INTERNAL", { message: "the round's base version has no weights" });
  const baseWeights = readFloat32LittleEndian(base.weights, base.weights.byteLength / 4);
  const manifest = base.manifest as Record<string, unknown> & { classes: string[] };
  let aggregate: TDecodedAggregate;
  try {
    aggregate = decodeAggregate({ sum: result.sum, layout: { parameterCount: baseWeights.length, classCount: manifest.classes.length }, clipNorm: round.config.clipNorm, participants: round.seats.length });
  } catch (error) {
    return fail(tx, round, error instanceof Error ? error.message : "the aggregate could not be read", now);
  }
  // FedAvgM: the velocity continues from the round that produced this round's base version, if any.
  const previous = round.config.serverMomentum > 0 ? await tx.federatedRound.findFirst({ where: { resultVersionId: round.baseVersionId }, select: { velocity: true } }) : null;
  const previousVelocity = previous?.velocity?.byteLength === baseWeights.length * 8 ? new Float64Array(new Uint8Array(previous.velocity).slice().buffer) : null;
  const velocity = new Float64Array(baseWeights.length);
  const weights = new Float32Array(baseWeights.length);
  for (let index = 0; index < weights.length; index += 1) {
    velocity[index] = round.config.serverMomentum * (previousVelocity?.[index] ?? 0) + aggregate.delta[index]!;
    weights[index] = baseWeights[index]! + velocity[index]!;
  }
  if (!weights.every(Number.isFinite)) return fail(tx, round, "the averaged update is not finite", now);

  // The budget composes over every noised round of this model so far (each round's release is public).
  const earlier = round.config.noiseStdPerParticipant > 0 ? await tx.federatedRound.findMany({ where: { modelName: round.modelName, stage: "DONE" }, select: { config: true } }) : [];
  const previousDpRounds = earlier.filter((row) => ((row.config as { noiseStdPerParticipant?: number }).noiseStdPerParticipant ?? 0) > 0).length;
  const noiseMultiplier = getTotalNoiseMultiplier({ sigmaPerParticipant: round.config.noiseStdPerParticipant, participants: result.survivors.length });
  const privacy: TRoundMetrics["privacy"] =
    round.config.noiseStdPerParticipant > 0 ? { noiseMultiplier, rounds: previousDpRounds + 1, delta: DP_DELTA, epsilon: getEpsilon({ noiseMultiplier, rounds: previousDpRounds + 1, delta: DP_DELTA }) } : null;
  const metrics: TRoundMetrics = {
    validation: aggregate.validation,
    privacy,
    survivors: result.survivors.length,
    dropped: round.seats.length - result.survivors.length,
    bytesReceived: countBytesReceived(round),
    durationS: Math.round((now.getTime() - round.startedAt.getTime()) / 100) / 10,
  };

  const weightBytes = new Uint8Array(weights.buffer);
  const sha256 = createHash("sha256").update(weightBytes).digest("hex");
  const latest = await tx.modelVersion.findFirst({ where: { name: base.name }, orderBy: { version: "desc" }, select: { version: true } });
  const version = (latest?.version ?? base.version) + 1;
  const resultManifest = {
    ...manifest,
    version: `1.${version - 1}.0`,
    sizeBytes: weightBytes.byteLength,
    sha256,
    // The base version's held-out figures describe the base weights, not these: they are not carried over.
    metrics: {
      // The server holds no patient data: what it knows of the new weights is the hospitals' own
      // validation, summed inside the secure aggregate (no single hospital's figure exists here).
      federated: { roundId: round.id, baseVersion: base.version, validation: aggregate.validation, validationConfusion: aggregate.validationConfusion, survivors: result.survivors.length, dropped: metrics.dropped, privacy },
    },
    training: {
      ...(manifest.training as Record<string, unknown>),
      federatedRound: round.id,
      localEpochs: round.config.localEpochs,
      clipNorm: round.config.clipNorm,
      sampleCap: round.config.sampleCap,
      serverMomentum: round.config.serverMomentum,
    },
  };
  const created = await tx.modelVersion.create({
    data: { name: base.name, version, status: "CANDIDATE", sha256, sizeBytes: weightBytes.byteLength, manifest: resultManifest, weights: weightBytes },
    select: { id: true },
  });
  await tx.federatedRound.update({ where: { id: round.id }, data: { stage: "DONE", resultVersionId: created.id, metrics, velocity: new Uint8Array(velocity.buffer), finishedAt: now } });
  getLogger().info({ roundId: round.id, resultVersion: version, survivors: result.survivors.length, dropped: metrics.dropped }, "federated round published a model version");
  return { ...round, stage: "DONE" };
}
