import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { landingPathFor } from "@/lib/auth/get-page-actor";
import { getCurrentActor } from "../_lib/get-current-actor";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage() {
  const actor = await getCurrentActor();
  if (actor) redirect(landingPathFor(actor));
  return (
    <div className="narrow">
      <h1>Sign in</h1>
      <div className="card">
        <SignInForm />
      </div>
      <p className="hint">
        First time here? On a fresh install, <code>npm start</code> prints the demo logins in the terminal it runs in.
      </p>
    </div>
  );
}
