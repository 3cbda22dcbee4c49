import type { Metadata } from "next";
import Link from "next/link";
import { listPatients } from "@/lib/patients/list-patients";
import { getServerContextOrThrow } from "@/lib/server-context";
import { getActorWithRoleOrRedirect } from "../_lib/get-current-actor";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Your patients" };

export default async function ClinicianHomePage() {
  const actor = await getActorWithRoleOrRedirect("CLINICIAN");
  const patients = await listPatients({ db: getServerContextOrThrow().database.prisma, actor });
  return (
    <>
      <h1>Your patients</h1>
      <section className="card" aria-labelledby="patients-heading">
        <h2 id="patients-heading">Patients on your care teams</h2>
        {patients.length === 0 ? (
          <p>You are not on any patient&apos;s care team yet.</p>
        ) : (
          <table className="data-table" aria-labelledby="patients-heading">
            <thead>
              <tr>
                <th scope="col">Patient</th>
                <th scope="col">Time zone</th>
              </tr>
            </thead>
            <tbody>
              {patients.map((patient) => (
                <tr key={patient.id}>
                  <th scope="row">
                    <Link href={`/patients/${patient.id}`}>{patient.displayName}</Link>
                  </th>
                  <td>{patient.timeZone}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
