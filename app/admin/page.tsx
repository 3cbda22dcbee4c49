import type { Metadata } from "next";
import Link from "next/link";
import { listModelVersions } from "@/lib/dashboards/list-model-versions";
import { listHospitalCredentials } from "@/lib/fl/credentials";
import { listRounds } from "@/lib/fl/rounds";
import { getHospitalOverview } from "@/lib/hospitals/get-hospital-overview";
import { getServerContextOrThrow } from "@/lib/server-context";
import { PlaceholderSection } from "../_components/placeholder-section";
import { getActorWithRoleOrRedirect } from "../_lib/get-current-actor";
import { FederatedCredentials } from "./_components/federated-credentials";
import { FederatedRounds } from "./_components/federated-rounds";
import { ModelVersions } from "./_components/model-versions";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Hospital overview" };

export default async function AdminHomePage() {
  const actor = await getActorWithRoleOrRedirect("HOSPITAL_ADMIN");
  const db = getServerContextOrThrow().database.prisma;
  const [overview, models, credentials, rounds] = await Promise.all([
    getHospitalOverview({ db, actor }),
    listModelVersions({ db, actor }),
    listHospitalCredentials({ db, actor }),
    listRounds({ db, actor }),
  ]);
  return (
    <>
      <h1>
        <span className="eyebrow">Hospital overview</span> {overview.hospital.name}
      </h1>

      <section aria-labelledby="totals-heading">
        <h2 id="totals-heading" className="visually-hidden">
          Totals
        </h2>
        <dl className="stats">
          <div>
            <dt>Clinicians</dt>
            <dd>{overview.clinicianCount}</dd>
          </div>
          <div>
            <dt>Patients</dt>
            <dd>{overview.patientCount}</dd>
          </div>
          <div>
            <dt>Active devices</dt>
            <dd>{overview.activeDeviceCount}</dd>
          </div>
        </dl>
      </section>

      <section className="card" aria-labelledby="patients-heading">
        <h2 id="patients-heading">Patients</h2>
        {overview.patients.length === 0 ? (
          <p>No patients are registered.</p>
        ) : (
          <table className="data-table" aria-labelledby="patients-heading">
            <thead>
              <tr>
                <th scope="col">Patient</th>
                <th scope="col">Time zone</th>
                <th scope="col">Care team</th>
              </tr>
            </thead>
            <tbody>
              {overview.patients.map((patient) => (
                <tr key={patient.id}>
                  <th scope="row">
                    <Link href={`/patients/${patient.id}`}>{patient.displayName}</Link>
                  </th>
                  <td>{patient.timeZone}</td>
                  <td>{patient.careTeam.length === 0 ? "None assigned" : patient.careTeam.map((member) => member.displayName).join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" aria-labelledby="clinicians-heading">
        <h2 id="clinicians-heading">Clinicians</h2>
        {overview.clinicians.length === 0 ? (
          <p>No clinicians are registered.</p>
        ) : (
          <table className="data-table" aria-labelledby="clinicians-heading">
            <thead>
              <tr>
                <th scope="col">Clinician</th>
                <th scope="col">Email</th>
                <th scope="col" className="numeric">
                  Patients
                </th>
              </tr>
            </thead>
            <tbody>
              {overview.clinicians.map((clinician) => (
                <tr key={clinician.id}>
                  <th scope="row">{clinician.displayName}</th>
                  <td className="break-anywhere">{clinician.email}</td>
                  <td className="numeric">{clinician.patientCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <ModelVersions manifests={models.manifests} versions={models.versions} />

      <FederatedCredentials initialCredentials={credentials} hospitalId={actor.hospitalId} csrfToken={actor.csrfToken} />
      <FederatedRounds initialRounds={rounds} csrfToken={actor.csrfToken} />

      <div className="grid">
        <PlaceholderSection id="compression-report-heading" title="Model compression report" arrivesWith="the model compression work" />
      </div>
    </>
  );
}
