// Server-only. A hospital admin stops a running round (a wrong setting, a hospital known to be offline):
// it fails with that reason and publishes nothing, and a new round can start at once instead of after
// the stage deadlines. Whatever the hospitals already sent stays masked; nothing is unmasked.
import { assertRole } from "../../auth/access-policy";
import type { TUserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import type { TDb } from "../../db/create-prisma-client";
import { AppError } from "../../errors/app-error";
import { getRoundView } from "./get-round";
import { ACTIVE_STAGES, isUuid, loadRound, lockRound } from "./round-state";
import type { TRoundView } from "./round-views";

export async function cancelRound(options: { db: TDb; actor: TUserActor; roundId: string; now?: Date; publishRound?: (roundId: string) => void }): Promise<TRoundView> {
  const { db, actor } = options;
  assertRole(actor, ["HOSPITAL_ADMIN"]);
  if (!isUuid(options.roundId)) throw new AppError("NOT_FOUND", { message: "No such round" });
  const now = options.now ?? new Date();
  await db.$transaction(async (tx) => {
    await lockRound(tx, options.roundId);
    const round = await loadRound(tx, options.roundId);
    if (!round) throw new AppError("NOT_FOUND", { message: "No such round" });
    if (!(ACTIVE_STAGES as readonly string[]).includes(round.stage)) throw new AppError("CONFLICT", { message: `the round has already ended (${round.stage})` });
    await tx.federatedRound.update({ where: { id: round.id }, data: { stage: "FAILED", failureReason: `cancelled by a hospital admin in stage ${round.stage}`, finishedAt: now } });
    await recordAudit({ db: tx, entries: [{ actor, action: "fl_round.cancel", targetType: "federated_round", targetId: round.id, hospitalId: actor.hospitalId, detail: { stage: round.stage } }] });
  });
  options.publishRound?.(options.roundId);
  return (await getRoundView({ db, roundId: options.roundId }))!;
}
