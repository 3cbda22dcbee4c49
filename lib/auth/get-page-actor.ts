// Server-only. For server components: the signed-in user behind the session cookie, or null.
import { getServerContextOrThrow } from "../server-context";
import type { TUserActor } from "./actor";
import { getSessionActor } from "./sessions";

export async function getPageActor(options: { sessionToken: string | undefined }): Promise<TUserActor | null> {
  if (!options.sessionToken) return null;
  const { database } = getServerContextOrThrow();
  return getSessionActor({ db: database.prisma, token: options.sessionToken });
}

/** The landing page for each role. */
export function landingPathFor(actor: TUserActor): string {
  switch (actor.role) {
    case "PATIENT":
      return "/patient";
    case "CLINICIAN":
      return "/clinician";
    case "HOSPITAL_ADMIN":
      return "/admin";
  }
}
