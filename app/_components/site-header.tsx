import Link from "next/link";
import type { TUserActor } from "@/lib/auth/actor";
import { landingPathFor } from "@/lib/auth/get-page-actor";
import { SignOutButton } from "./sign-out-button";

const ROLE_LABELS: Record<TUserActor["role"], string> = {
  PATIENT: "Patient",
  CLINICIAN: "Clinician",
  HOSPITAL_ADMIN: "Hospital admin",
};

export function SiteHeader({ actor }: { actor: TUserActor | null }) {
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href="/" className="product-name">
          PulseGuard
        </Link>
        {actor && (
          <>
            <nav aria-label="Main">
              <ul className="nav-list">
                <li>
                  <Link href={landingPathFor(actor)}>Dashboard</Link>
                </li>
              </ul>
            </nav>
            <div className="signed-in-as">
              <span>
                <span className="visually-hidden">Signed in as </span>
                <span className="user-name">{actor.displayName}</span>{" "}
                <span className="user-role">({ROLE_LABELS[actor.role]})</span>
              </span>
              <SignOutButton csrfToken={actor.csrfToken} />
            </div>
          </>
        )}
      </div>
    </header>
  );
}
