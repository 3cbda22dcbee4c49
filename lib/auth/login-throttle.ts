// Server-only. Failed sign-ins are counted per account key and per client address in the database, so
// the limits hold across restarts and instances. Keys are hashed: the table never stores an email.
import type { TDb } from "../db/create-prisma-client";
import { hashToken } from "./tokens";

// Five wrong passwords per account in 15 minutes locks that account's sign-in for 15 minutes (NIST
// SP 800-63B asks for a limit of at most 100; five is common practice for clinical systems).
export const ACCOUNT_MAX_FAILURES = 5;
// An address may try many accounts (a shared hospital NAT), so its limit is higher.
export const ADDRESS_MAX_FAILURES = 50;
export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const LOCKOUT_MS = 15 * 60_000;

export function throttleKeysFor(email: string, clientAddress: string | null) {
  const keys = [{ key: `acct:${hashToken(email.trim().toLowerCase())}`, max: ACCOUNT_MAX_FAILURES }];
  if (clientAddress) keys.push({ key: `addr:${hashToken(clientAddress)}`, max: ADDRESS_MAX_FAILURES });
  return keys;
}

/** Seconds until sign-in may be tried again for any of these keys, or 0 when it may be tried now. */
export async function getLockoutRemainingS(options: { db: TDb; keys: { key: string }[]; now: Date }): Promise<number> {
  const rows = await options.db.loginThrottle.findMany({ where: { key: { in: options.keys.map((k) => k.key) } } });
  const remainingMs = Math.max(0, ...rows.map((row) => (row.lockedUntil ? row.lockedUntil.getTime() - options.now.getTime() : 0)));
  return Math.ceil(remainingMs / 1000);
}

export async function recordLoginFailure(options: { db: TDb; keys: { key: string; max: number }[]; now: Date }): Promise<void> {
  const { db, now } = options;
  for (const { key, max } of options.keys) {
    await db.$transaction(async (tx) => {
      const row = await tx.loginThrottle.findUnique({ where: { key } });
      const windowExpired = !row || now.getTime() - row.windowStartedAt.getTime() > THROTTLE_WINDOW_MS;
      const failures = windowExpired ? 1 : row.failures + 1;
      const windowStartedAt = windowExpired ? now : row.windowStartedAt;
      const lockedUntil = failures >= max ? new Date(now.getTime() + LOCKOUT_MS) : null;
      await tx.loginThrottle.upsert({
        where: { key },
        create: { key, failures, windowStartedAt, lockedUntil },
        update: { failures, windowStartedAt, lockedUntil },
      });
    });
  }
}

export async function clearLoginFailures(options: { db: TDb; accountKey: string }): Promise<void> {
  await options.db.loginThrottle.deleteMany({ where: { key: options.accountKey } });
}
