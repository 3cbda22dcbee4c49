import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { isAppError } from "@/lib/errors";
import { PatientDashboard, type TPatientDashboardData } from "../../_components/patient-dashboard";
import { getCurrentActor } from "../../_lib/get-current-actor";
import { loadPatientDashboard } from "../../_lib/load-patient-dashboard";

export const dynamic = "force-dynamic";

// A generic title: patient names would otherwise end up in browser history and tab lists.
export const metadata: Metadata = { title: "Patient" };

export default async function PatientDetailPage({
  params,
  searchParams,
}: {
  params: Promise<{ patientId: string }>;
  searchParams: Promise<{ alert?: string | string[] }>;
}) {
  const actor = await getCurrentActor();
  if (!actor) redirect("/sign-in");
  const [{ patientId }, { alert }] = await Promise.all([params, searchParams]);
  let data: TPatientDashboardData;
  try {
    data = await loadPatientDashboard({ actor, patientId, alertId: typeof alert === "string" ? alert : null });
  } catch (error) {
    // A patient the actor may not see and one that does not exist look the same: no data, no name.
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  }
  return (
    <>
      {actor.role === "CLINICIAN" && (
        <p>
          <Link href="/clinician">← Back to the console</Link>
        </p>
      )}
      <h1>
        <span className="eyebrow">Patient</span> {data.patient.displayName}
      </h1>
      <PatientDashboard data={data} basePath={`/patients/${data.patient.id}`} />
    </>
  );
}
