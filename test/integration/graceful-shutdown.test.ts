import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createDrainingServer } from "@/lib/server/create-draining-server";

async function listen(server: ReturnType<typeof createDrainingServer>) {
  await new Promise<void>((resolve) => server.httpServer.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}`;
}

describe("draining shutdown", () => {
  it("lets a request in flight finish its write, then refuses new connections", async () => {
    const writes: string[] = [];
    let started!: () => void;
    const requestStarted = new Promise<void>((resolve) => (started = resolve));
    const server = createDrainingServer((_request, response) => {
      started();
      // Stands in for a durable write that takes a while.
      setTimeout(() => {
        writes.push("batch");
        response.end("stored");
      }, 300);
    });
    const url = await listen(server);

    const inFlight = fetch(url);
    await requestStarted;
    const drained = server.drain(5_000);
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("stored");
    expect(await drained).toEqual({ timedOut: false });
    expect(writes).toEqual(["batch"]);
    await expect(fetch(url)).rejects.toThrow();
  });

  it("gives up after the grace period", async () => {
    const server = createDrainingServer(() => {
      // Never answers.
    });
    const url = await listen(server);
    const hanging = fetch(url).catch(() => "aborted");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.inFlight()).toBe(1);
    expect(await server.drain(200)).toEqual({ timedOut: true });
    server.httpServer.closeAllConnections();
    expect(await hanging).toBe("aborted");
  });

  it("sets the client address header from the socket, overriding whatever the client sent", async () => {
    let seen: string | string[] | undefined;
    const server = createDrainingServer((request, response) => {
      seen = request.headers["x-pulseguard-client-address"];
      response.end();
    });
    const url = await listen(server);
    await fetch(url, { headers: { "x-pulseguard-client-address": "6.6.6.6" } });
    expect(seen).toBe("127.0.0.1");
    await server.drain(1_000);
  });
});
