// Server-only. Closes the stages whose deadline has passed (the hospitals that did not answer are
// dropped), on whichever instance gets there first: the round lock makes it happen once.
import type { TDb } from "../../db/create-prisma-client";
import { advanceRound } from "./advance-round";
import { ACTIVE_STAGES, loadRound, lockRound } from "./round-state";

export async function sweepRounds(options: {
  db: TDb;
  now?: Date;
  publishRound?: (roundId: string) => void;
  /** Only these rounds (a test moving its own clock must not close other rounds in a shared database). */
  roundIds?: string[];
}): Promise<number> {
  const now = options.now ?? new Date();
  const due = await options.db.federatedRound.findMany({
    where: { stage: { in: [...ACTIVE_STAGES] }, stageDeadlineAt: { lte: now }, ...(options.roundIds ? { id: { in: options.roundIds } } : {}) },
    select: { id: true },
  });
  let advanced = 0;
  for (const { id } of due) {
    const changed = await options.db.$transaction(
      async (tx) => {
        await lockRound(tx, id);
        const round = await loadRound(tx, id, { withMasked: true });
        if (!round || round.stageDeadlineAt > now) return false;
        return (await advanceRound(tx, round, { now, deadlinePassed: true })).changed;
      },
      { timeout: 60_000 },
    );
    if (changed) {
      advanced += 1;
      options.publishRound?.(id);
    }
  }
  return advanced;
}
