// Server-only. An HTTP server that knows how many requests are in flight, so shutdown can stop
// accepting, let those requests (and the writes behind them) finish, and only then close the database.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createTrustedProxies, getClientAddress } from "../http/get-client-address";
import { CLIENT_ADDRESS_HEADER } from "../http/with-route";

export type TDrainingServer = {
  httpServer: Server;
  inFlight(): number;
  /** Stops accepting connections and resolves when in-flight requests are done or graceMs has passed. */
  drain(graceMs: number): Promise<{ timedOut: boolean }>;
};

export function createDrainingServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  options: { trustedProxies?: readonly string[] } = {},
): TDrainingServer {
  const trustedProxies = createTrustedProxies(options.trustedProxies ?? []);
  let inFlight = 0;
  let onIdle: (() => void) | undefined;
  const httpServer = createServer((request, response) => {
    // The client address comes from the socket, or from X-Forwarded-For only as far as trusted proxies
    // wrote it; the header the routes read is always overwritten, so a client cannot set it.
    request.headers[CLIENT_ADDRESS_HEADER] =
      getClientAddress({ remoteAddress: request.socket.remoteAddress, forwardedFor: request.headers["x-forwarded-for"], trustedProxies }) ?? "";
    inFlight += 1;
    response.on("close", () => {
      inFlight -= 1;
      if (inFlight === 0) onIdle?.();
    });
    handler(request, response);
  });
  return {
    httpServer,
    inFlight: () => inFlight,
    async drain(graceMs) {
      httpServer.close();
      // Keep-alive connections with no request in flight would otherwise hold the server open.
      httpServer.closeIdleConnections();
      if (inFlight === 0) return { timedOut: false };
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        new Promise<boolean>((resolve) => (onIdle = () => resolve(false))),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      clearTimeout(timer);
      return { timedOut };
    },
  };
}
