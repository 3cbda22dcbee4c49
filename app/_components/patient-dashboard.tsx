// A patient's dashboard, for the patient themself (/patient) and for whoever else the access policy
// lets read them (/patients/{id}). Every piece of data on it was read through lib/ for this actor.
import type { ReactNode } from "react";
import type { TAlertEventView, TAlertView } from "@/lib/alerts/alert-views";
import type { getPatient } from "@/lib/patients/get-patient";
import type { TEcgStripSummary } from "@/lib/patients/list-ecg-strips";
import { AlertEvidence } from "./alert-evidence";
import { AlertHistory } from "./alert-history";
import { EcgStripViewer } from "./charts/ecg-strip-viewer";
import { GlucoseTrendChart } from "./charts/glucose-trend-chart";
import { HeartRateTrendChart } from "./charts/heart-rate-trend-chart";
import { LiveHeartRateChart } from "./charts/live-heart-rate-chart";
import { PatientSummary } from "./patient-summary";

export type TPatientDashboardData = {
  patient: Awaited<ReturnType<typeof getPatient>>;
  alerts: TAlertView[];
  strips: TEcgStripSummary[];
  selected: { alert: TAlertView; events: TAlertEventView[] } | null;
};

export function PatientDashboard({ data, basePath, forecastPanel }: { data: TPatientDashboardData; basePath: string; forecastPanel?: ReactNode }) {
  const { patient } = data;
  const hasCgm = patient.devices.some((device) => device.kind === "CGM");
  return (
    <>
      <p className="hint">Times are shown in the patient&apos;s time zone, {patient.timeZone}.</p>
      <LiveHeartRateChart patientId={patient.id} timeZone={patient.timeZone} />
      <HeartRateTrendChart patientId={patient.id} timeZone={patient.timeZone} />
      <AlertHistory alerts={data.alerts} timeZone={patient.timeZone} basePath={basePath} selectedAlertId={data.selected?.alert.id ?? null} />
      {data.selected && <AlertEvidence alert={data.selected.alert} events={data.selected.events} timeZone={patient.timeZone} />}
      <EcgStripViewer patientId={patient.id} timeZone={patient.timeZone} strips={data.strips} headingId="ecg-strips-heading" />
      {hasCgm ? (
        <GlucoseTrendChart patientId={patient.id} timeZone={patient.timeZone} />
      ) : (
        <section className="card" aria-labelledby="glucose-trend-heading">
          <h2 id="glucose-trend-heading">Glucose trend</h2>
          <p>No glucose monitor is registered for this patient.</p>
        </section>
      )}
      {forecastPanel}
      <PatientSummary patient={patient} />
    </>
  );
}
