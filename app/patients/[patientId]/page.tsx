import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { isAppError } from "@/lib/errors";
import { getPatient } from "@/lib/patients/get-patient";
import { getServerContextOrThrow } from "@/lib/server-context";
import { PatientSummary } from "../../_components/patient-summary";
import { getCurrentActor } from "../../_lib/get-current-actor";

export const dynamic = "force-dynamic";

// A generic title: patient names would otherwise end up in browser history and tab lists.
export const metadata: Metadata = { title: "Patient" };

export default async function PatientDetailPage({ params }: { params: Promise<{ patientId: string }> }) {
  const actor = await getCurrentActor();
  if (!actor) redirect("/sign-in");
  const { patientId } = await params;
  const db = getServerContextOrThrow().database.prisma;
  let patient: Awaited<ReturnType<typeof getPatient>>;
  try {
    patient = await getPatient({ db, actor, patientId });
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  }
  return (
    <>
      <h1>
        <span className="eyebrow">Patient</span> {patient.displayName}
      </h1>
      <PatientSummary patient={patient} />
    </>
  );
}
