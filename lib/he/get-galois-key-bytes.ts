// Server-only. The registered Galois key bytes by fingerprint, with a small in-process cache: ~560 KB
// per key set is worth not reading from the database on every forecast. Fingerprints name content, so
// a cached entry can never be stale; a replaced key set is simply no longer asked for.
import type { TDb } from "../db/create-prisma-client";

const CACHE_ENTRIES = 32;
const holder = globalThis as unknown as { __pulseguardHeKeyBytes?: Map<string, Uint8Array> };

function cache(): Map<string, Uint8Array> {
  holder.__pulseguardHeKeyBytes ??= new Map();
  return holder.__pulseguardHeKeyBytes;
}

export async function getGaloisKeyBytes(options: { db: TDb; keySetId: string; fingerprint: string }): Promise<Uint8Array | null> {
  const entries = cache();
  const cached = entries.get(options.fingerprint);
  if (cached) {
    entries.delete(options.fingerprint);
    entries.set(options.fingerprint, cached);
    return cached;
  }
  const row = await options.db.heKeySet.findUnique({ where: { id: options.keySetId }, select: { galoisKeys: true } });
  if (!row?.galoisKeys) return null;
  const bytes = new Uint8Array(row.galoisKeys);
  entries.set(options.fingerprint, bytes);
  if (entries.size > CACHE_ENTRIES) entries.delete(entries.keys().next().value as string);
  return bytes;
}

export function forgetGaloisKeyBytes(fingerprint: string): void {
  cache().delete(fingerprint);
}
