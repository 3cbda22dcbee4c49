import type { Metadata } from "next";
import { getClinicianConsole } from "@/lib/dashboards/get-clinician-console";
import { getServerContextOrThrow } from "@/lib/server-context";
import { getActorWithRoleOrRedirect } from "../_lib/get-current-actor";
import { ClinicianConsole } from "./_components/clinician-console";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Clinician console" };

export default async function ClinicianHomePage() {
  const actor = await getActorWithRoleOrRedirect("CLINICIAN");
  const patients = await getClinicianConsole({ db: getServerContextOrThrow().database.prisma, actor });
  return (
    <>
      <h1>Clinician console</h1>
      <ClinicianConsole patients={patients} />
    </>
  );
}
