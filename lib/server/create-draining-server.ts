// Server-only. An HTTP server that knows how many requests are in flight, so shutdown can stop
// accepting, let those requests (and the writes behind them) finish, and only then close the database.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { CLIENT_ADDRESS_HEADER } from "../http/with-route";

export type TDrainingServer = {
  httpServer: Server;
  inFlight(): number;
  /** Stops accepting connections and resolves when in-flight requests are done or graceMs has passed. */
  drain(graceMs: number): Promise<{ timedOut: boolean }>;
};

export function createDrainingServer(handler: (request: IncomingMessage, response: ServerResponse) => void): TDrainingServer {
  let inFlight = 0;
  let onIdle: (() => void) | undefined;
  const httpServer = createServer((request, response) => {
    // The client address comes from the socket, never from a header the client could set.
    request.headers[CLIENT_ADDRESS_HEADER] = request.socket.remoteAddress ?? "";
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
