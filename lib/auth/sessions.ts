// Server-only. Server-side sessions: the cookie holds a random token, the database its hash.
import type { TDb } from "../db/create-prisma-client";
import type { TUserActor } from "./actor";
import { createRandomToken, hashToken } from "./tokens";

export const SESSION_COOKIE = "pg_session";
// lastSeenAt is written at most this often, so reads do not turn into a write per request.
const TOUCH_INTERVAL_MS = 60_000;

export type TCreatedSession = { token: string; csrfToken: string; expiresAt: Date; userId: string };

export async function createSession(options: { db: TDb; userId: string; ttlMs: number; now: Date }): Promise<TCreatedSession> {
  const token = createRandomToken();
  const csrfToken = createRandomToken();
  const expiresAt = new Date(options.now.getTime() + options.ttlMs);
  await options.db.session.create({
    data: { tokenHash: hashToken(token), userId: options.userId, csrfToken, expiresAt, createdAt: options.now, lastSeenAt: options.now },
  });
  return { token, csrfToken, expiresAt, userId: options.userId };
}

/**
 * The signed-in user for a session token, or null when the token is unknown, expired or the user
 * disabled. Sessions end at a fixed time (the cookie's Max-Age matches it), so a stolen cookie is not
 * kept alive by use.
 */
export async function getSessionActor(options: {
  db: TDb;
  token: string;
  now?: Date;
}): Promise<TUserActor | null> {
  const now = options.now ?? new Date();
  const tokenHash = hashToken(options.token);
  const session = await options.db.session.findUnique({
    where: { tokenHash },
    include: { user: { include: { patient: { select: { id: true } } } } },
  });
  if (!session || session.expiresAt <= now || session.user.disabledAt) return null;
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await options.db.session.update({
      where: { tokenHash },
      data: { lastSeenAt: now },
    });
  }
  const { user } = session;
  return {
    kind: "user",
    userId: user.id,
    role: user.role,
    hospitalId: user.hospitalId,
    patientId: user.patient?.id ?? null,
    displayName: user.displayName,
    email: user.email,
    sessionTokenHash: tokenHash,
    csrfToken: session.csrfToken,
  };
}

export async function deleteSession(options: { db: TDb; tokenHash: string }): Promise<void> {
  await options.db.session.deleteMany({ where: { tokenHash: options.tokenHash } });
}
