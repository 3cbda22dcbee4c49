"use client";

import { useState, type FormEvent } from "react";
import { z } from "zod";

const ZErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

type TFieldName = "email" | "password";
type TFormError = { message: string; fieldMessages: Partial<Record<TFieldName, string>> };

export function SignInForm() {
  const [formError, setFormError] = useState<TFormError | null>(null);
  const [isSubmitting, setIsSubmitting] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setIsSubmitting(true);
    // Cleared first so that the same error, shown again, is announced again.
    setFormError(null);
    try {
      const response = await fetch("/api/auth/sign-in", {
        method: "POST",
        headers: { "content-type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ email: String(data.get("email") ?? ""), password: String(data.get("password") ?? "") }),
      });
      if (response.ok) {
        window.location.assign("/");
        return;
      }
      setFormError(await describeFailure(response));
    } catch {
      setFormError({ message: "Could not reach PulseGuard. Check your connection and try again.", fieldMessages: {} });
    }
    setIsSubmitting(false);
  }

  const emailError = formError?.fieldMessages.email;
  const passwordError = formError?.fieldMessages.password;

  return (
    <>
      {/* Always rendered, so screen readers already watch the region when a message appears in it. */}
      <div role="alert" className={formError ? "form-error" : undefined}>
        {formError?.message}
      </div>
      <form onSubmit={handleSubmit} className="form">
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            required
            maxLength={254}
            aria-invalid={emailError ? true : undefined}
            aria-describedby={emailError ? "email-error" : undefined}
          />
          {emailError && (
            <p id="email-error" className="field-error">
              {emailError}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            maxLength={1024}
            aria-invalid={passwordError ? true : undefined}
            aria-describedby={passwordError ? "password-error" : undefined}
          />
          {passwordError && (
            <p id="password-error" className="field-error">
              {passwordError}
            </p>
          )}
        </div>
        <button type="submit" className="button" disabled={isSubmitting}>
          {isSubmitting ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </>
  );
}

async function describeFailure(response: Response): Promise<TFormError> {
  const parsed = ZErrorBodySchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) return { message: `Sign-in failed (HTTP ${response.status}). Try again.`, fieldMessages: {} };
  const { message, fields } = parsed.data.error;
  const fieldMessages: TFormError["fieldMessages"] = {};
  for (const field of fields ?? []) {
    if (field.path === "email" || field.path === "password") fieldMessages[field.path] = field.message;
  }
  if (response.status === 429) {
    const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
    return { message: `${sentence} ${describeRetry(response.headers.get("retry-after"))}`.trim(), fieldMessages };
  }
  return { message, fieldMessages };
}

function describeRetry(retryAfterHeader: string | null): string {
  const retryAfterS = Number(retryAfterHeader);
  if (!retryAfterHeader || !Number.isFinite(retryAfterS) || retryAfterS <= 0) return "";
  const retryAt = new Date(Date.now() + retryAfterS * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const wait = retryAfterS < 60 ? plural(Math.ceil(retryAfterS), "second") : plural(Math.ceil(retryAfterS / 60), "minute");
  return `You can try again in about ${wait} (after ${retryAt}).`;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}
