// Server-only. A hospital admin opens a round: every hospital holding a valid participant credential gets
// a seat, the active version of the model is the starting point, and the hospitals have
// config.trainingTimeoutS to train locally and advertise their round keys.
import { z } from "zod";
import { assertRole } from "../../auth/access-policy";
import type { TUserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import type { TDb } from "../../db/create-prisma-client";
import { AppError } from "../../errors/app-error";
import { getUpdateVectorLength } from "../update-vector";
import { ZRoundConfigSchema, type TRoundConfig } from "../wire";
import { getRoundView } from "./get-round";
import { DEFAULT_ROUND_CONFIG, FEDERATED_MODEL_NAME, getDefaultThreshold } from "./round-defaults";
import type { TRoundView } from "./round-views";

export const ZStartRoundSchema = z
  .object({
    modelName: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "a registered model name").default(FEDERATED_MODEL_NAME),
    config: ZRoundConfigSchema.partial().default({}),
    /** The hospitals to seat (each needs a valid credential); default every hospital that has one. */
    hospitalIds: z.array(z.uuid()).min(2).max(256).optional(),
  })
  .strict();
/** Checked here (ZStartRoundSchema), so a route can pass what it was sent. */
export type TStartRoundInput = { modelName?: string; config?: Partial<TRoundConfig>; hospitalIds?: string[] };

export async function startRound(options: { db: TDb; actor: TUserActor; now?: Date; publishRound?: (roundId: string) => void } & TStartRoundInput): Promise<TRoundView> {
  const { db, actor } = options;
  assertRole(actor, ["HOSPITAL_ADMIN"]);
  const input = ZStartRoundSchema.parse({ modelName: options.modelName, config: options.config, hospitalIds: options.hospitalIds });
  const now = options.now ?? new Date();

  const roundId = await db.$transaction(async (tx) => {
    // One round per model at a time: two would train from the same base and publish competing versions.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`fl-model:${input.modelName}`}))`;
    const running = await tx.federatedRound.findFirst({ where: { modelName: input.modelName, stage: { in: ["ADVERTISING", "SHARING", "MASKING", "UNMASKING"] } }, select: { id: true } });
    if (running) throw new AppError("CONFLICT", { message: `round ${running.id} of ${input.modelName} is still running` });
    const base = await tx.modelVersion.findFirst({ where: { name: input.modelName, status: "ACTIVE" }, orderBy: { version: "desc" }, select: { id: true, manifest: true, sizeBytes: true, weights: true } });
    if (!base?.weights) throw new AppError("CONFLICT", { message: `${input.modelName} has no active version with weights to start from` });

    // The newest valid credential of each hospital: its process is the one that will be polling.
    const credentials = await tx.hospitalCredential.findMany({
      where: { revokedAt: null, expiresAt: { gt: now }, ...(input.hospitalIds ? { hospitalId: { in: input.hospitalIds } } : {}) },
      orderBy: [{ hospitalId: "asc" }, { createdAt: "desc" }],
      select: { id: true, hospitalId: true },
    });
    const seats = [...new Map(credentials.map((credential) => [credential.hospitalId, credential])).values()];
    const unseated = input.hospitalIds?.filter((hospitalId) => !seats.some((seat) => seat.hospitalId === hospitalId)) ?? [];
    if (unseated.length > 0) throw new AppError("CONFLICT", { message: `${unseated.length} selected hospital(s) hold no valid participant credential` });
    if (seats.length < 2) throw new AppError("CONFLICT", { message: `${seats.length} hospital(s) hold a valid participant credential; secure aggregation needs at least 2` });

    const threshold = input.config.threshold ?? getDefaultThreshold(seats.length);
    if (threshold > seats.length) {
      throw new AppError("VALIDATION_FAILED", { message: `threshold ${threshold} is above the ${seats.length} seats`, fields: [{ path: "config.threshold", message: `at most ${seats.length}` }] });
    }
    const config: TRoundConfig = ZRoundConfigSchema.parse({ ...DEFAULT_ROUND_CONFIG, ...input.config, threshold });
    const classCount = (base.manifest as { classes?: unknown[] }).classes?.length ?? 0;
    const vectorLength = getUpdateVectorLength({ parameterCount: base.sizeBytes / 4, classCount });
    const round = await tx.federatedRound.create({
      data: {
        modelName: input.modelName,
        threshold,
        config,
        vectorLength,
        stageDeadlineAt: new Date(now.getTime() + config.trainingTimeoutS * 1000),
        startedById: actor.userId,
        baseVersionId: base.id,
        startedAt: now,
        participants: { create: seats.map((seat) => ({ hospitalId: seat.hospitalId, credentialId: seat.id })) },
      },
      select: { id: true },
    });
    await recordAudit({
      db: tx,
      entries: [{ actor, action: "fl_round.start", targetType: "federated_round", targetId: round.id, hospitalId: actor.hospitalId, detail: { modelName: input.modelName, seats: seats.length, threshold } }],
    });
    return round.id;
  });
  options.publishRound?.(roundId);
  return (await getRoundView({ db, roundId }))!;
}
