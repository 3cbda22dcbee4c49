// The address the routes see comes from the real server (issue 18, finding 6): a forged X-Forwarded-For
// from an untrusted peer changes nothing; behind a trusted proxy the client is taken from the header.
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createDrainingServer, type TDrainingServer } from "@/lib/server/create-draining-server";
import { CLIENT_ADDRESS_HEADER } from "@/lib/http/with-route";

const servers: TDrainingServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.drain(1_000);
});

async function seenAddress(trustedProxies: string[] | undefined, headers: Record<string, string>): Promise<string> {
  const server = createDrainingServer((request, response) => response.end(String(request.headers[CLIENT_ADDRESS_HEADER])), trustedProxies ? { trustedProxies } : {});
  servers.push(server);
  await new Promise<void>((resolve) => server.httpServer.listen(0, "127.0.0.1", resolve));
  const response = await fetch(`http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/`, { headers });
  return response.text();
}

describe("client address", () => {
  it("ignores X-Forwarded-For and a forged client-address header when no proxy is trusted", async () => {
    expect(await seenAddress(undefined, { "x-forwarded-for": "198.51.100.1" })).toBe("127.0.0.1");
    expect(await seenAddress([], { "x-forwarded-for": "198.51.100.1", [CLIENT_ADDRESS_HEADER]: "198.51.100.2" })).toBe("127.0.0.1");
    expect(await seenAddress(["10.0.0.0/8"], { "x-forwarded-for": "198.51.100.1" })).toBe("127.0.0.1");
  });

  it("takes the right-most untrusted address from X-Forwarded-For when the peer is a trusted proxy", async () => {
    expect(await seenAddress(["127.0.0.1"], { "x-forwarded-for": "6.6.6.6, 198.51.100.1" })).toBe("198.51.100.1");
    expect(await seenAddress(["127.0.0.0/8", "10.0.0.0/8"], { "x-forwarded-for": "6.6.6.6, 198.51.100.1, 10.2.3.4" })).toBe("198.51.100.1");
  });
});
