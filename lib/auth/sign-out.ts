// Server-only.
import { recordAudit } from "../audit/record-audit";
import type { TDb } from "../db/create-prisma-client";
import type { TUserActor } from "./actor";
import { deleteSession } from "./sessions";

export async function signOut(options: { db: TDb; actor: TUserActor }): Promise<void> {
  await deleteSession({ db: options.db, tokenHash: options.actor.sessionTokenHash });
  await recordAudit({
    db: options.db,
    entries: [{ actor: options.actor, action: "auth.sign_out", targetType: "user", targetId: options.actor.userId }],
  });
}
