import { CLIENT_ADDRESS_HEADER, CSRF_HEADER } from "@/lib/http/with-route";
import type { TSignedIn } from "./factories";

type THandler = (request: Request, context: { params: Promise<never> }) => Promise<Response>;

/** Calls a route handler the way Next does, with a binary body (the HE routes). */
export async function callBinaryRoute(
  handler: THandler,
  options: { method: string; path: string; params: Record<string, string>; body?: Uint8Array; signedIn: TSignedIn; headers?: Record<string, string>; contentType?: string },
) {
  const headers = new Headers({ host: "localhost:3000", cookie: options.signedIn.cookie, ...options.headers });
  headers.set(CSRF_HEADER, options.signedIn.csrfToken);
  headers.set(CLIENT_ADDRESS_HEADER, "127.0.0.1");
  if (options.body) headers.set("content-type", options.contentType ?? "application/octet-stream");
  const request = new Request(new URL(`http://localhost:3000${options.path}`), { method: options.method, headers, body: options.body as Uint8Array<ArrayBuffer> | undefined });
  const response = await handler(request, { params: Promise.resolve(options.params) as Promise<never> });
  const bytes = new Uint8Array(await response.arrayBuffer());
  let json: { error?: { code: string; message: string }; [key: string]: unknown } | undefined;
  if ((response.headers.get("content-type") ?? "").startsWith("application/json")) json = JSON.parse(new TextDecoder().decode(bytes));
  return { status: response.status, headers: response.headers, bytes, json };
}
