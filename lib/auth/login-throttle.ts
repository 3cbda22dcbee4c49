// Server-only. Sign-in attempts are counted in the database, so the limits hold across restarts and
// instances. Keys are hashed: the table never stores an email or an address.
//
// An attempt is counted before its password is checked, in one atomic statement per key, and only the
// attempts that got a count while the key was not locked are evaluated. Checking the count first and
// recording the failure after the (slow, by design) password hash let concurrent guesses all pass the
// check: 40 at once got 39 evaluated against a limit of 5 (issue 18, finding 5).
//
// Nothing locks an account for everyone (issue 18, finding 6: five requests locked a named user out).
// The tight limit is per account *and* address, so guesses from one address slow down only that address
// for that account; the owner signs in from their own. Past a limit each further failure doubles the
// wait instead of a fixed lock, so a guesser gets a few attempts a day while a person who mistyped waits
// a minute.
import type { TDb } from "../db/create-prisma-client";
import { hashToken } from "./tokens";

// Five wrong passwords for one account from one address in a window, then back-off. Five is common
// practice for clinical systems; with back-off it costs the owner one minute, not a lockout.
export const ACCOUNT_ADDRESS_MAX_FAILURES = 5;
// An address may try many accounts (a shared hospital NAT, seen through a trusted proxy), so its limit
// across accounts is higher.
export const ADDRESS_MAX_FAILURES = 50;
// Against guessing spread over many addresses: all addresses together get at most 100 failures for one
// account per window before it backs off (NIST SP 800-63B 5.2.2: no more than 100 consecutive failures).
// It is the one limit an attacker can push on the owner, so it takes twenty addresses, each at its limit.
export const ACCOUNT_ANY_ADDRESS_MAX_FAILURES = 100;
export const THROTTLE_WINDOW_MS = 15 * 60_000;
// The first wait after a limit is reached, doubled by each further failure (1, 2, 4 ... minutes) up to
// the cap: past the cap a guesser gets one attempt per half hour, 48 a day per key.
export const BACKOFF_BASE_MS = 60_000;
export const BACKOFF_MAX_MS = 30 * 60_000;
// A key that backed off is forgotten only after a day without attempts once its wait ended; forgetting
// it after one window would let a guesser reset the back-off by pausing 15 minutes every five guesses.
export const BACKOFF_RESET_MS = 24 * 60 * 60_000;

export type TThrottleKey = { key: string; max: number };

/** The wait set by failure number `failures` of a key with limit `max` (0 below the limit). */
export function backoffMsFor(failures: number, max: number): number {
  if (failures < max) return 0;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(failures - max, 30));
}

/** Keys in the order they are counted: account at this address, this address, the account anywhere. */
export function throttleKeysFor(email: string, clientAddress: string | null): TThrottleKey[] {
  const account = email.trim().toLowerCase();
  // Without an address (no socket peer) all such attempts share one address key, the strictest choice.
  const address = clientAddress ?? "unknown";
  return [
    { key: `acct-addr:${hashToken(`${account}\n${address}`)}`, max: ACCOUNT_ADDRESS_MAX_FAILURES },
    { key: `addr:${hashToken(address)}`, max: ADDRESS_MAX_FAILURES },
    { key: `acct:${hashToken(account)}`, max: ACCOUNT_ANY_ADDRESS_MAX_FAILURES },
  ];
}

/**
 * Counts one attempt for `key` in one statement, unless the key is waiting out a back-off: then the row
 * is left alone and no row comes back (the WHERE of DO UPDATE is evaluated under the row lock, so every
 * concurrent attempt sees the wait the one before it set). The attempt that reaches the limit, or the
 * first after a wait, sets the next wait itself, before its password is checked, so only it is evaluated.
 * A key idle for a window (or BACKOFF_RESET_MS after a wait) starts again at 1.
 */
async function countAttempt(db: TDb, { key, max }: TThrottleKey, now: Date): Promise<boolean> {
  const restarts = `("LoginThrottle"."lockedUntil" IS NULL AND "LoginThrottle"."windowStartedAt" < $3::timestamptz)
    OR ("LoginThrottle"."lockedUntil" IS NOT NULL AND "LoginThrottle"."lockedUntil" <= $4::timestamptz)`;
  const failures = `(CASE WHEN ${restarts} THEN 1 ELSE "LoginThrottle"."failures" + 1 END)`;
  const waitMs = `LEAST($7::float8, $6::float8 * power(2, LEAST(30, GREATEST(0, ${failures} - $5))))`;
  const rows = await db.$queryRawUnsafe<unknown[]>(
    `INSERT INTO "LoginThrottle" ("key", "failures", "windowStartedAt", "lockedUntil")
     VALUES ($1, 1, $2::timestamptz, CASE WHEN 1 >= $5 THEN $2::timestamptz + $6::float8 * interval '1 millisecond' END)
     ON CONFLICT ("key") DO UPDATE SET
       "failures" = ${failures},
       "windowStartedAt" = CASE WHEN ${restarts} THEN $2::timestamptz ELSE "LoginThrottle"."windowStartedAt" END,
       "lockedUntil" = CASE
         WHEN ${failures} >= $5 THEN $2::timestamptz + ${waitMs} * interval '1 millisecond'
         WHEN ${restarts} THEN NULL
         ELSE "LoginThrottle"."lockedUntil" END
     WHERE "LoginThrottle"."lockedUntil" IS NULL OR "LoginThrottle"."lockedUntil" <= $2::timestamptz
     RETURNING "failures"`,
    key,
    now,
    new Date(now.getTime() - THROTTLE_WINDOW_MS),
    new Date(now.getTime() - BACKOFF_RESET_MS),
    max,
    BACKOFF_BASE_MS,
    BACKOFF_MAX_MS,
  );
  return rows.length === 1;
}

/**
 * Gives back an attempt that was counted but is not a failure (refused by a later key, or succeeded).
 * A wait it set ends now; below the limit there was none before it.
 */
async function releaseAttempt(db: TDb, { key, max }: TThrottleKey, now: Date): Promise<void> {
  await db.$executeRawUnsafe(
    `UPDATE "LoginThrottle" SET "failures" = "failures" - 1,
       "lockedUntil" = CASE WHEN "failures" - 1 < $2 THEN NULL ELSE LEAST("lockedUntil", $3::timestamptz) END
     WHERE "key" = $1 AND "failures" > 0`,
    key,
    max,
    now,
  );
}

/**
 * Counts this attempt against every key before the password is evaluated. Returns 0 when the attempt may
 * be evaluated (a failure then needs nothing more; a success calls recordLoginSuccess), or the seconds to
 * wait when a key is backing off; a refused attempt is evaluated by nobody and does not count.
 */
export async function reserveLoginAttempt(options: { db: TDb; keys: TThrottleKey[]; now: Date }): Promise<number> {
  const { db, now } = options;
  const counted: TThrottleKey[] = [];
  for (const throttleKey of options.keys) {
    if (await countAttempt(db, throttleKey, now)) {
      counted.push(throttleKey);
      continue;
    }
    for (const countedKey of counted) await releaseAttempt(db, countedKey, now);
    const row = await db.loginThrottle.findUnique({ where: { key: throttleKey.key }, select: { lockedUntil: true } });
    const waitMs = (row?.lockedUntil?.getTime() ?? now.getTime()) - now.getTime();
    return Math.max(1, Math.ceil(waitMs / 1000));
  }
  return 0;
}

/** A success clears the count of the account at this address and gives back its attempt on the others. */
export async function recordLoginSuccess(options: { db: TDb; keys: TThrottleKey[]; now: Date }): Promise<void> {
  const [accountAtAddress, ...others] = options.keys;
  if (accountAtAddress) await options.db.loginThrottle.deleteMany({ where: { key: accountAtAddress.key } });
  for (const throttleKey of others) await releaseAttempt(options.db, throttleKey, options.now);
}
