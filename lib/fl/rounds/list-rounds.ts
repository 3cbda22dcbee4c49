// Server-only. Round history for hospital admins, newest first.
import { assertRole } from "../../auth/access-policy";
import type { TUserActor } from "../../auth/actor";
import type { TDb } from "../../db/create-prisma-client";
import { listRoundViews } from "./get-round";
import type { TRoundView } from "./round-views";

export async function listRounds(options: { db: TDb; actor: TUserActor; take?: number }): Promise<TRoundView[]> {
  assertRole(options.actor, ["HOSPITAL_ADMIN"]);
  return listRoundViews({ db: options.db, take: Math.min(Math.max(options.take ?? 50, 1), 200) });
}
