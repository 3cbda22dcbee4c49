// Server-only. Sign-in attempts are counted per account key and per client address in the database, so
// the limits hold across restarts and instances. Keys are hashed: the table never stores an email.
//
// An attempt is counted before its password is checked, in one atomic statement per key, and only the
// attempts that got a count within the limit are evaluated. Checking the count first and recording the
// failure after the (slow, by design) password hash let concurrent guesses all pass the check: 40 at
// once got 39 evaluated against a limit of 5 (issue 18, finding 5).
import type { TDb } from "../db/create-prisma-client";
import { hashToken } from "./tokens";

// Five wrong passwords per account in 15 minutes locks that account's sign-in for 15 minutes (NIST
// SP 800-63B asks for a limit of at most 100; five is common practice for clinical systems).
export const ACCOUNT_MAX_FAILURES = 5;
// An address may try many accounts (a shared hospital NAT), so its limit is higher.
export const ADDRESS_MAX_FAILURES = 50;
export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const LOCKOUT_MS = 15 * 60_000;

export type TThrottleKey = { key: string; max: number };

export function throttleKeysFor(email: string, clientAddress: string | null): TThrottleKey[] {
  const keys = [{ key: `acct:${hashToken(email.trim().toLowerCase())}`, max: ACCOUNT_MAX_FAILURES }];
  if (clientAddress) keys.push({ key: `addr:${hashToken(clientAddress)}`, max: ADDRESS_MAX_FAILURES });
  return keys;
}

type TCountedRow = { failures: number; windowStartedAt: Date; lockedUntil: Date | null };

/**
 * Counts one attempt for `key` and returns the row as it is after that count, in one statement: the row
 * lock of INSERT ... ON CONFLICT DO UPDATE hands every concurrent attempt its own number. A window that
 * has run out, or a lock that has expired, starts again at 1.
 */
async function countAttempt(db: TDb, key: string, now: Date): Promise<TCountedRow> {
  const windowStartBound = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  const restarts = `("LoginThrottle"."lockedUntil" IS NULL AND "LoginThrottle"."windowStartedAt" < $3::timestamptz)
    OR ("LoginThrottle"."lockedUntil" IS NOT NULL AND "LoginThrottle"."lockedUntil" <= $2::timestamptz)`;
  const rows = await db.$queryRawUnsafe<TCountedRow[]>(
    `INSERT INTO "LoginThrottle" ("key", "failures", "windowStartedAt", "lockedUntil") VALUES ($1, 1, $2::timestamptz, NULL)
     ON CONFLICT ("key") DO UPDATE SET
       "failures" = CASE WHEN ${restarts} THEN 1 ELSE "LoginThrottle"."failures" + 1 END,
       "windowStartedAt" = CASE WHEN ${restarts} THEN $2::timestamptz ELSE "LoginThrottle"."windowStartedAt" END,
       "lockedUntil" = CASE WHEN ${restarts} THEN NULL ELSE "LoginThrottle"."lockedUntil" END
     RETURNING "failures", "windowStartedAt", "lockedUntil"`,
    key,
    now,
    windowStartBound,
  );
  return rows[0]!;
}

/** Gives back an attempt that was counted but is not a failure (refused unevaluated, or succeeded). */
async function releaseAttempt(db: TDb, key: string): Promise<void> {
  await db.loginThrottle.updateMany({ where: { key, failures: { gt: 0 } }, data: { failures: { decrement: 1 } } });
}

/**
 * Counts this attempt against every key before the password is evaluated. Returns 0 when the attempt may
 * be evaluated (the caller then records its failure or success), or the seconds to wait when any key is
 * at its limit; a refused attempt is evaluated by nobody and is given back, so it does not count.
 */
export async function reserveLoginAttempt(options: { db: TDb; keys: TThrottleKey[]; now: Date }): Promise<number> {
  const { db, now } = options;
  const counted: string[] = [];
  for (const { key, max } of options.keys) {
    const row = await countAttempt(db, key, now);
    counted.push(key);
    const lockedForMs = row.lockedUntil ? row.lockedUntil.getTime() - now.getTime() : 0;
    if (lockedForMs > 0 || row.failures > max) {
      for (const countedKey of counted) await releaseAttempt(db, countedKey);
      // Over the limit but not yet locked: the attempts holding the count are still being evaluated; the
      // last of them to fail sets the lock, which at the latest ends with the window.
      const waitMs = lockedForMs > 0 ? lockedForMs : row.windowStartedAt.getTime() + THROTTLE_WINDOW_MS - now.getTime();
      return Math.max(1, Math.ceil(waitMs / 1000));
    }
  }
  return 0;
}

/** The attempt was counted when reserved; a key that reached its limit is locked from now. */
export async function recordLoginFailure(options: { db: TDb; keys: TThrottleKey[]; now: Date }): Promise<void> {
  const lockedUntil = new Date(options.now.getTime() + LOCKOUT_MS);
  for (const { key, max } of options.keys) {
    await options.db.loginThrottle.updateMany({ where: { key, failures: { gte: max } }, data: { lockedUntil } });
  }
}

/** A success clears the account's count and gives back its attempt on the other keys (the address). */
export async function recordLoginSuccess(options: { db: TDb; keys: TThrottleKey[] }): Promise<void> {
  const [account, ...others] = options.keys;
  if (account) await options.db.loginThrottle.deleteMany({ where: { key: account.key } });
  for (const { key } of others) await releaseAttempt(options.db, key);
}
