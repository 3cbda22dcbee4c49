// Server-only. A round as hospital admins see it (TRoundView): stages, seats, aggregate figures.
import { assertRole } from "../../auth/access-policy";
import type { TUserActor } from "../../auth/actor";
import type { TDb, TTx } from "../../db/create-prisma-client";
import { AppError } from "../../errors/app-error";
import { ZRoundConfigSchema } from "../wire";
import { isUuid } from "./round-state";
import type { TRoundMetrics, TRoundView } from "./round-views";

export const ROUND_VIEW_SELECT = {
  id: true,
  modelName: true,
  stage: true,
  threshold: true,
  config: true,
  rosterSize: true,
  startedAt: true,
  finishedAt: true,
  stageDeadlineAt: true,
  failureReason: true,
  metrics: true,
  baseVersion: { select: { id: true, version: true } },
  resultVersion: { select: { id: true, version: true, status: true } },
  participants: { select: { hospitalId: true, status: true, dropReason: true, updatedAt: true, hospital: { select: { name: true } } }, orderBy: { hospitalId: "asc" as const } },
} as const;

const EMPTY_METRICS: TRoundMetrics = { validation: null, privacy: null, survivors: null, dropped: null, bytesReceived: null, durationS: null };

type TRoundRow = Awaited<ReturnType<typeof findRoundRows>>[number];

function findRoundRows(db: TDb | TTx, where: { id?: string }, take: number) {
  return db.federatedRound.findMany({ where, select: ROUND_VIEW_SELECT, orderBy: { startedAt: "desc" }, take });
}

export function toRoundView(row: TRoundRow): TRoundView {
  return {
    id: row.id,
    modelName: row.modelName,
    stage: row.stage,
    config: ZRoundConfigSchema.parse(row.config),
    threshold: row.threshold,
    rosterSize: row.rosterSize,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    stageDeadlineAt: row.stageDeadlineAt.toISOString(),
    failureReason: row.failureReason,
    baseVersion: row.baseVersion,
    resultVersion: row.resultVersion,
    metrics: { ...EMPTY_METRICS, ...(row.metrics as Partial<TRoundMetrics>) },
    participants: row.participants.map((seat) => ({ hospitalId: seat.hospitalId, hospitalName: seat.hospital.name, status: seat.status, dropReason: seat.dropReason, updatedAt: seat.updatedAt.toISOString() })),
  };
}

/** Internal (no actor): for the live progress publisher. */
export async function getRoundView(options: { db: TDb | TTx; roundId: string }): Promise<TRoundView | null> {
  const [row] = await findRoundRows(options.db, { id: options.roundId }, 1);
  return row ? toRoundView(row) : null;
}

/** Rounds are a consortium matter: every hospital admin sees every round (ids, stages, aggregates only). */
export async function getRoundOrThrow(options: { db: TDb; actor: TUserActor; roundId: string }): Promise<TRoundView> {
  assertRole(options.actor, ["HOSPITAL_ADMIN"]);
  const view = isUuid(options.roundId) ? await getRoundView(options) : null;
  if (!view) throw new AppError("NOT_FOUND", { message: "No such round" });
  return view;
}

export async function listRoundViews(options: { db: TDb; take: number }): Promise<TRoundView[]> {
  return (await findRoundRows(options.db, {}, options.take)).map(toRoundView);
}
