import { redirect } from "next/navigation";
import { landingPathFor } from "@/lib/auth/get-page-actor";
import { getCurrentActor } from "./_lib/get-current-actor";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const actor = await getCurrentActor();
  redirect(actor ? landingPathFor(actor) : "/sign-in");
}
