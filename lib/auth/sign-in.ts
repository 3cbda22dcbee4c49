// Server-only.
import { z } from "zod";
import { recordAudit } from "../audit/record-audit";
import type { TDb } from "../db/create-prisma-client";
import { AppError } from "../errors/app-error";
import { recordLoginSuccess, reserveLoginAttempt, throttleKeysFor } from "./login-throttle";
import { getDummyPasswordHash, verifyPassword } from "./password";
import { createSession, type TCreatedSession } from "./sessions";

export const ZSignInSchema = z.strictObject({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(1024),
});
export type TSignIn = z.infer<typeof ZSignInSchema>;

// Same code and message whether the email is unknown or the password wrong: no account enumeration.
const INVALID = () => new AppError("INVALID_CREDENTIALS", { message: "Email or password is incorrect" });

export async function signIn(options: {
  db: TDb;
  input: TSignIn;
  clientAddress: string | null;
  sessionTtlMs: number;
  now?: Date;
}): Promise<TCreatedSession> {
  const { db, input } = options;
  const now = options.now ?? new Date();
  const keys = throttleKeysFor(input.email, options.clientAddress);

  // Counted before the password is checked, so concurrent guesses cannot all pass a check of the count.
  const lockedForS = await reserveLoginAttempt({ db, keys, now });
  if (lockedForS > 0) {
    throw new AppError("THROTTLED", { message: "Too many failed sign-in attempts; try again later", retryAfterS: lockedForS });
  }

  const user = await db.user.findUnique({ where: { email: input.email }, omit: { passwordHash: false } });
  const isValid = await verifyPassword(input.password, user?.passwordHash ?? (await getDummyPasswordHash()));
  // A failure was counted when the attempt was reserved, and any wait it earns was set then.
  if (!user || !isValid || user.disabledAt) throw INVALID();

  await recordLoginSuccess({ db, keys, now });
  const session = await createSession({ db, userId: user.id, ttlMs: options.sessionTtlMs, now });
  await recordAudit({
    db,
    entries: [{ actor: null, action: "auth.sign_in", targetType: "user", targetId: user.id, hospitalId: user.hospitalId }],
  });
  return session;
}
