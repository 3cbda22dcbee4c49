import type { Metadata } from "next";
import { getServerContextOrThrow } from "@/lib/server-context";
import { getPatient } from "@/lib/patients/get-patient";
import { PatientSummary } from "../_components/patient-summary";
import { PlaceholderSection } from "../_components/placeholder-section";
import { getActorWithRoleOrRedirect } from "../_lib/get-current-actor";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Your dashboard" };

export default async function PatientDashboardPage() {
  const actor = await getActorWithRoleOrRedirect("PATIENT");
  if (!actor.patientId) {
    return (
      <>
        <h1>Your dashboard</h1>
        <p className="card">This account is not linked to a patient record yet. Please contact your hospital.</p>
      </>
    );
  }
  const db = getServerContextOrThrow().database.prisma;
  const patient = await getPatient({ db, actor, patientId: actor.patientId });
  return (
    <>
      <h1>Your dashboard</h1>
      <PatientSummary patient={patient} />
      <div className="grid">
        <PlaceholderSection id="live-heart-rate-heading" title="Live heart rate" arrivesWith="the dashboards work" />
        <PlaceholderSection id="alerts-heading" title="Alerts" arrivesWith="the dashboards work" />
        <PlaceholderSection id="glucose-forecast-heading" title="Glucose forecast" arrivesWith="the dashboards work" />
      </div>
    </>
  );
}
