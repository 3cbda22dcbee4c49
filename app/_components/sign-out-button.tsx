"use client";

import { useState } from "react";

export function SignOutButton({ csrfToken }: { csrfToken: string }) {
  const [isSigningOut, setIsSigningOut] = useState(false);
  const [errorMessage, setErrorMessage] = useState<string | null>(null);

  async function handleClick() {
    setIsSigningOut(true);
    setErrorMessage(null);
    try {
      const response = await fetch("/api/auth/sign-out", {
        method: "POST",
        headers: { "x-csrf-token": csrfToken },
        credentials: "same-origin",
      });
      // 401 means the session is already gone: the user is signed out either way.
      if (response.ok || response.status === 401) {
        window.location.assign("/sign-in");
        return;
      }
      setErrorMessage("Sign-out failed. Reload the page and try again.");
    } catch {
      setErrorMessage("Could not reach PulseGuard. Check your connection and try again.");
    }
    setIsSigningOut(false);
  }

  return (
    <span className="sign-out">
      <button type="button" className="button button-secondary" onClick={handleClick} disabled={isSigningOut}>
        {isSigningOut ? "Signing out…" : "Sign out"}
      </button>
      <span role="alert" className="sign-out-error">
        {errorMessage}
      </span>
    </span>
  );
}
