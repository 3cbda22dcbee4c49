// HTTP calls of the encrypted-forecast client, shared by the CLI (cookie header) and the browser panel
// (the browser sends the cookie itself). Binary bodies go as application/octet-stream.
import type { TTimedReading } from "../glucose-forecast/align-readings";
import type { TShareForecastFinding } from "../glucose-forecast/forecast-finding";
import { HE_CONTENT_TYPE, HE_KEY_FINGERPRINT_HEADER, HE_MODEL_VERSION_HEADER, HE_PARAMS, HE_PARAMS_HEADER } from "./params";

export type THeApi = {
  baseUrl: string;
  patientId: string;
  /** Extra headers on every call: the CSRF token, and for the CLI the session cookie. */
  headers: Record<string, string>;
  fetch?: typeof fetch;
};

export class HeApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "HeApiError";
  }
}

async function call(api: THeApi, path: string, init: RequestInit): Promise<Response> {
  const doFetch = api.fetch ?? globalThis.fetch;
  const response = await doFetch(new URL(`/api/patients/${api.patientId}/${path}`, api.baseUrl), {
    ...init,
    credentials: "same-origin",
    headers: { ...api.headers, ...(init.headers as Record<string, string>) },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new HeApiError(response.status, body?.error?.code ?? "HTTP", body?.error?.message ?? `HTTP ${response.status}`);
  }
  return response;
}

export type TActiveKeySet = { id: string; paramsId: string; fingerprint: string; sizeBytes: number; createdAt: string } | null;

export async function getActiveKeySet(api: THeApi): Promise<{ keySet: TActiveKeySet; paramsId: string }> {
  const body = (await (await call(api, "he/keys", { method: "GET" })).json()) as { keySet: TActiveKeySet; params: { id: string } };
  return { keySet: body.keySet, paramsId: body.params.id };
}

export async function registerKeySet(api: THeApi, galoisKeys: Uint8Array): Promise<NonNullable<TActiveKeySet>> {
  const response = await call(api, "he/keys", {
    method: "PUT",
    headers: { "content-type": HE_CONTENT_TYPE, [HE_PARAMS_HEADER]: HE_PARAMS.id },
    body: galoisKeys as Uint8Array<ArrayBuffer>,
  });
  return ((await response.json()) as { keySet: NonNullable<TActiveKeySet> }).keySet;
}

export async function getRecentReadings(api: THeApi, minutes = 70): Promise<TTimedReading[]> {
  const response = await call(api, `he/forecast-inputs?minutes=${minutes}`, { method: "GET" });
  return ((await response.json()) as { readings: TTimedReading[] }).readings;
}

export async function requestEncryptedForecast(api: THeApi, options: { ciphertext: Uint8Array; keyFingerprint: string }): Promise<{ ciphertext: Uint8Array; modelVersion: string }> {
  const response = await call(api, "he/forecasts", {
    method: "POST",
    headers: { "content-type": HE_CONTENT_TYPE, [HE_PARAMS_HEADER]: HE_PARAMS.id, [HE_KEY_FINGERPRINT_HEADER]: options.keyFingerprint },
    body: options.ciphertext as Uint8Array<ArrayBuffer>,
  });
  return { ciphertext: new Uint8Array(await response.arrayBuffer()), modelVersion: response.headers.get(HE_MODEL_VERSION_HEADER) ?? "unknown" };
}

/**
 * Shares a finding (not the values) with the care team as an alert. alertId is null when the patient's
 * alert rules switch the condition off; a server without the route answers 404 (HeApiError).
 */
export async function shareForecastFinding(api: THeApi, finding: TShareForecastFinding): Promise<{ alertId: string | null; isNew: boolean }> {
  const response = await call(api, "he/findings", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(finding),
  });
  return (await response.json()) as { alertId: string | null; isNew: boolean };
}
