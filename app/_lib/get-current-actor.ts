// Server-only.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { TUserActor } from "@/lib/auth/actor";
import { getPageActor, landingPathFor } from "@/lib/auth/get-page-actor";
import { SESSION_COOKIE } from "@/lib/auth/sessions";

// Cached per request: the layout and the page both ask, and the session should be looked up once.
export const getCurrentActor = cache(async (): Promise<TUserActor | null> => {
  const sessionToken = (await cookies()).get(SESSION_COOKIE)?.value;
  return getPageActor({ sessionToken });
});

/** The signed-in actor if they have this role; anyone else is sent to sign in or to their own landing. */
export async function getActorWithRoleOrRedirect(role: TUserActor["role"]): Promise<TUserActor> {
  const actor = await getCurrentActor();
  if (!actor) redirect("/sign-in");
  if (actor.role !== role) redirect(landingPathFor(actor));
  return actor;
}
