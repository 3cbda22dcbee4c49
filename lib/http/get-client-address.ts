// Server-only. The address a sign-in attempt is counted against. X-Forwarded-For is a header any client
// can write, so it is believed only as far as it was appended by proxies the operator listed in
// TRUSTED_PROXIES: otherwise an attacker could spread guesses over invented addresses, or pin them on
// someone else's address and lock that person out (issue 18, finding 6).
import { BlockList, isIP } from "node:net";

export type TTrustedProxies = { isTrusted(address: string): boolean };

/** Node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d; compare them as IPv4. */
function normalizeAddress(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1]! : trimmed;
}

/** `entries` are IPs or CIDRs (validated in lib/config.ts); none trusts no proxy at all. */
export function createTrustedProxies(entries: readonly string[]): TTrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/") as [string, string | undefined];
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(normalizeAddress(address), type);
    else list.addSubnet(normalizeAddress(address), Number(prefix), type);
  }
  return {
    isTrusted(address) {
      const normalized = normalizeAddress(address);
      const version = isIP(normalized);
      return version !== 0 && list.check(normalized, version === 6 ? "ipv6" : "ipv4");
    },
  };
}

/**
 * The socket's peer, unless that peer is a trusted proxy: then the chain is walked from the right (each
 * trusted proxy appends the address it received from) and the first address not trusted is the client.
 * Entries left of it were written by the client itself and are never read.
 */
export function getClientAddress(options: { remoteAddress: string | undefined; forwardedFor: string | string[] | undefined; trustedProxies: TTrustedProxies }): string | null {
  const { trustedProxies } = options;
  if (!options.remoteAddress) return null;
  let client = normalizeAddress(options.remoteAddress);
  if (!trustedProxies.isTrusted(client)) return client;
  const header = Array.isArray(options.forwardedFor) ? options.forwardedFor.join(",") : (options.forwardedFor ?? "");
  const hops = header.split(",").map(normalizeAddress).filter((hop) => hop !== "");
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index]!;
    // A trusted proxy forwarded something that is not an address: keep the last hop that was one.
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!trustedProxies.isTrusted(hop)) return client;
  }
  return client;
}
