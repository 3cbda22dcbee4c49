"use client";

import { useState } from "react";
import { sendAdminRequest, type TFieldErrors } from "./send-admin-request";

/**
 * The state of an admin form that posts to the JSON API: busy while the request runs, the error message
 * and the per-field messages (422 field paths) of the last attempt. submit() resolves to the response
 * data, or null when it failed (the error is then shown by the form).
 */
export function useAdminForm(csrfToken: string) {
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<TFieldErrors>({});

  async function submit<T>(path: string, body: unknown): Promise<T | null> {
    setIsBusy(true);
    setError(null);
    setFields({});
    const result = await sendAdminRequest<T>(path, { method: "POST", csrfToken, body });
    setIsBusy(false);
    if (!result.ok) {
      setError(result.message);
      setFields(result.fields);
      return null;
    }
    return result.data;
  }

  return { isBusy, error, fields, submit };
}
