// Server-only. Every route handler goes through here: one place that authenticates, checks CSRF,
// applies the error mapping and sets no-store, so a new route cannot forget any of them.
import type { TActor, TDeviceActor, TUserActor } from "../auth/actor";
import { authenticateDevice, readBearerToken } from "../auth/authenticate-device";
import { getSessionActor, SESSION_COOKIE } from "../auth/sessions";
import { isSameSecret } from "../auth/tokens";
import { AppError } from "../errors/app-error";
import { toErrorBody } from "../errors/to-error-body";
import { getLogger } from "../log/logger";
import { getServerContextOrThrow, type TServerContext } from "../server-context";
import { authenticateHospitalCredential, type THospitalParticipant } from "../fl/credentials/authenticate-hospital-credential";
import { parseCookies } from "./cookies";

export const CSRF_HEADER = "x-csrf-token";
// server.ts overwrites this header with the socket's address, so a client cannot choose its own.
export const CLIENT_ADDRESS_HEADER = "x-pulseguard-client-address";

type TAuthMode = "public" | "user" | "device" | "hospital";
type TActorFor<TMode extends TAuthMode> = TMode extends "user"
  ? TUserActor
  : TMode extends "device"
    ? TDeviceActor
    : TMode extends "hospital"
      ? THospitalParticipant
      : null;

export type TRouteContext<TMode extends TAuthMode, TParams> = {
  request: Request;
  params: TParams;
  actor: TActorFor<TMode>;
  server: TServerContext;
  clientAddress: string | null;
};

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(body, (_key, value) => (typeof value === "bigint" ? value.toString() : value)), {
    ...init,
    headers,
  });
}

export function errorResponse(error: unknown, route: string): Response {
  const { status, body, retryAfterS } = toErrorBody(error);
  if (status >= 500) {
    // The stack's frames, without its first line: an error message can quote request data or readings.
    const frames = error instanceof Error ? error.stack?.split("\n").slice(1).join("\n") : undefined;
    getLogger().error({ route, err: error instanceof Error ? { name: error.name, frames } : undefined }, "route failed");
  }
  return json(body, { status, headers: retryAfterS ? { "retry-after": String(retryAfterS) } : undefined });
}

export function withRoute<TMode extends TAuthMode, TParams = Record<string, never>>(
  options: { auth: TMode },
  handler: (context: TRouteContext<TMode, TParams>) => Promise<Response>,
) {
  return async (request: Request, nextContext?: { params: Promise<TParams> }): Promise<Response> => {
    const route = `${request.method} ${new URL(request.url).pathname}`;
    try {
      const server = getServerContextOrThrow();
      const params = ((await nextContext?.params) ?? {}) as TParams;
      const actor = await authenticate(request, options.auth, server);
      return await handler({ request, params, actor: actor as TActorFor<TMode>, server, clientAddress: request.headers.get(CLIENT_ADDRESS_HEADER) });
    } catch (error) {
      return errorResponse(error, route);
    }
  };
}

async function authenticate(request: Request, mode: TAuthMode, server: TServerContext): Promise<TActor | THospitalParticipant | null> {
  const db = server.database.prisma;
  // A hospital's federated-training process: a bearer credential, no cookie, so no CSRF token either.
  if (mode === "hospital") return authenticateHospitalCredential({ db, authorization: request.headers.get("authorization") });
  if (mode === "public") {
    assertSameOrigin(request, server.config.PUBLIC_ORIGIN);
    return null;
  }
  if (mode === "device") {
    const token = readBearerToken(request.headers.get("authorization"));
    const device = token ? await authenticateDevice({ db, token }) : null;
    if (!device) throw new AppError("UNAUTHENTICATED", { message: "A valid device token is required" });
    return device;
  }
  const token = parseCookies(request.headers.get("cookie")).get(SESSION_COOKIE);
  const user = token ? await getSessionActor({ db, token }) : null;
  if (!user) throw new AppError("UNAUTHENTICATED", { message: "Sign in first" });
  // Synchronizer token: a cross-site page can make the browser send the cookie but cannot read the token.
  if (MUTATING.has(request.method)) {
    const sent = request.headers.get(CSRF_HEADER);
    if (!sent || !isSameSecret(sent, user.csrfToken)) throw new AppError("CSRF_FAILED", { message: "Missing or wrong CSRF token" });
  }
  return user;
}

/**
 * Unauthenticated mutations (sign-in) have no session token to check, so they rely on the browser's
 * Origin header: a cross-site form or fetch carries a foreign origin and is refused (login CSRF).
 */
function assertSameOrigin(request: Request, publicOrigin: string | undefined): void {
  if (!MUTATING.has(request.method)) return;
  const origin = request.headers.get("origin");
  if (origin === null) return;
  if (!isAllowedOrigin(origin, request.headers.get("host"), publicOrigin)) {
    throw new AppError("CSRF_FAILED", { message: "Cross-site request refused" });
  }
}

/**
 * With PUBLIC_ORIGIN set the whole origin must match (scheme included, so a plain-http page on the same
 * host cannot post); without it, the Host the request was sent to.
 */
export function isAllowedOrigin(origin: string, host: string | null | undefined, publicOrigin: string | undefined): boolean {
  try {
    const sent = new URL(origin);
    return publicOrigin ? sent.origin === new URL(publicOrigin).origin : Boolean(host) && sent.host === host;
  } catch {
    return false;
  }
}
