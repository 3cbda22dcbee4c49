// Which address a sign-in attempt is counted against (issue 18, finding 6): X-Forwarded-For only as far
// as trusted proxies wrote it, so a client can neither invent addresses nor borrow someone else's.
import { describe, expect, it } from "vitest";
import { createTrustedProxies, getClientAddress } from "@/lib/http/get-client-address";

const noProxies = createTrustedProxies([]);
const proxies = createTrustedProxies(["10.0.0.0/8", "192.0.2.10", "2001:db8::/32"]);

describe("getClientAddress", () => {
  it("ignores X-Forwarded-For entirely when no proxy is trusted", () => {
    expect(getClientAddress({ remoteAddress: "203.0.113.5", forwardedFor: "198.51.100.1", trustedProxies: noProxies })).toBe("203.0.113.5");
    expect(getClientAddress({ remoteAddress: "::ffff:203.0.113.5", forwardedFor: undefined, trustedProxies: noProxies })).toBe("203.0.113.5");
    expect(getClientAddress({ remoteAddress: undefined, forwardedFor: "198.51.100.1", trustedProxies: noProxies })).toBeNull();
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    expect(getClientAddress({ remoteAddress: "203.0.113.5", forwardedFor: "198.51.100.1", trustedProxies: proxies })).toBe("203.0.113.5");
  });

  it("takes the right-most address not trusted, behind one or more trusted proxies", () => {
    expect(getClientAddress({ remoteAddress: "::ffff:10.1.2.3", forwardedFor: "198.51.100.1", trustedProxies: proxies })).toBe("198.51.100.1");
    // The client prepended forged hops; the proxies appended the real one and their own.
    expect(getClientAddress({ remoteAddress: "10.1.2.3", forwardedFor: "1.1.1.1, 7.7.7.7, 198.51.100.1, 192.0.2.10", trustedProxies: proxies })).toBe("198.51.100.1");
    expect(getClientAddress({ remoteAddress: "10.1.2.3", forwardedFor: ["1.1.1.1", "2001:db8::7, 2001:db9::1"], trustedProxies: proxies })).toBe("2001:db9::1");
  });

  it("keeps the last address a trusted proxy vouched for when the chain ends or holds garbage", () => {
    expect(getClientAddress({ remoteAddress: "10.1.2.3", forwardedFor: undefined, trustedProxies: proxies })).toBe("10.1.2.3");
    expect(getClientAddress({ remoteAddress: "10.1.2.3", forwardedFor: "10.9.9.9", trustedProxies: proxies })).toBe("10.9.9.9");
    expect(getClientAddress({ remoteAddress: "10.1.2.3", forwardedFor: "198.51.100.1, not-an-ip", trustedProxies: proxies })).toBe("10.1.2.3");
  });
});
