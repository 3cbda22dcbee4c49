import { CLIENT_ADDRESS_HEADER, CSRF_HEADER } from "@/lib/http/with-route";

// Promise<never> is assignable to every handler's params type, so any route handler fits here.
type THandler = (request: Request, context: { params: Promise<never> }) => Promise<Response>;

export type TCallOptions = {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  cookie?: string;
  csrfToken?: string;
  bearer?: string;
  headers?: Record<string, string>;
  clientAddress?: string;
};

/** Calls a Next route handler the way Next does: a standard Request and a params promise. */
export async function callRoute(handler: THandler, method: string, path: string, options: TCallOptions = {}) {
  const url = new URL(`http://localhost:3000${path}`);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const headers = new Headers({ host: "localhost:3000", ...options.headers });
  headers.set(CLIENT_ADDRESS_HEADER, options.clientAddress ?? "127.0.0.1");
  if (options.cookie) headers.set("cookie", options.cookie);
  if (options.csrfToken) headers.set(CSRF_HEADER, options.csrfToken);
  if (options.bearer) headers.set("authorization", `Bearer ${options.bearer}`);
  let body: string | undefined;
  if (options.rawBody !== undefined || options.body !== undefined) {
    body = options.rawBody ?? JSON.stringify(options.body);
    headers.set("content-type", options.contentType ?? "application/json");
  }
  const response = await handler(new Request(url, { method, headers, body }), { params: Promise.resolve(options.params ?? {}) as Promise<never> });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON; callers look at text.
  }
  return { status: response.status, headers: response.headers, text, json: json as Record<string, unknown> & { error?: { code: string; fields?: { path: string }[] } } };
}
