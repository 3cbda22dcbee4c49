import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { isAppError } from "@/lib/errors";
import { PatientDashboard, type TPatientDashboardData } from "../_components/patient-dashboard";
import { getActorWithRoleOrRedirect } from "../_lib/get-current-actor";
import { loadPatientDashboard } from "../_lib/load-patient-dashboard";
import { EncryptedGlucoseForecastPanel } from "./_components/encrypted-glucose-forecast-panel";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Your dashboard" };

export default async function PatientDashboardPage({ searchParams }: { searchParams: Promise<{ alert?: string | string[] }> }) {
  const actor = await getActorWithRoleOrRedirect("PATIENT");
  if (!actor.patientId) {
    return (
      <>
        <h1>Your dashboard</h1>
        <p className="card">This account is not linked to a patient record yet. Please contact your hospital.</p>
      </>
    );
  }
  const { alert } = await searchParams;
  let data: TPatientDashboardData;
  try {
    data = await loadPatientDashboard({ actor, patientId: actor.patientId, alertId: typeof alert === "string" ? alert : null });
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  }
  return (
    <>
      <h1>Your dashboard</h1>
      <PatientDashboard
        data={data}
        basePath="/patient"
        forecastPanel={<EncryptedGlucoseForecastPanel patientId={data.patient.id} csrfToken={actor.csrfToken} />}
      />
    </>
  );
}
