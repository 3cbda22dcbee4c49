"use client";

// The admin page's changes go through the JSON API with the session's CSRF token, like every other
// client component; errors come back in the API's one shape, with field paths for 422.
export type TFieldErrors = Record<string, string>;
export type TAdminResult<T> = { ok: true; data: T } | { ok: false; message: string; fields: TFieldErrors };

export async function sendAdminRequest<T>(path: string, options: { method: "GET" | "POST" | "DELETE"; csrfToken?: string; body?: unknown }): Promise<TAdminResult<T>> {
  const headers: Record<string, string> = {};
  if (options.csrfToken) headers["x-csrf-token"] = options.csrfToken;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, { method: options.method, headers, credentials: "same-origin", body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch {
    return { ok: false, message: "Could not reach PulseGuard. Check your connection and try again.", fields: {} };
  }
  const json = (await response.json().catch(() => null)) as { error?: { message?: string; fields?: { path: string; message: string }[] } } | null;
  if (response.ok) return { ok: true, data: json as T };
  const fields = Object.fromEntries((json?.error?.fields ?? []).map((field) => [field.path, field.message]));
  return { ok: false, message: json?.error?.message ?? `The request failed (HTTP ${response.status}).`, fields };
}
