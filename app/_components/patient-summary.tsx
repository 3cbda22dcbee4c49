import type { getPatient } from "@/lib/patients/get-patient";
import { Timestamp } from "./timestamp";

type TPatient = Awaited<ReturnType<typeof getPatient>>;

const DEVICE_KIND_LABELS: Record<TPatient["devices"][number]["kind"], string> = {
  WATCH: "Watch",
  CGM: "Glucose monitor (CGM)",
};

/** Profile, devices and care team of one patient; times are shown in the patient's own time zone. */
export function PatientSummary({ patient }: { patient: TPatient }) {
  const { careTeam } = patient;
  return (
    <>
      <section className="card" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <dl className="facts">
          <div>
            <dt>Name</dt>
            <dd>{patient.displayName}</dd>
          </div>
          <div>
            <dt>Time zone</dt>
            <dd>{patient.timeZone}</dd>
          </div>
          <div>
            <dt>Birth year</dt>
            <dd>{patient.birthYear ?? "Not recorded"}</dd>
          </div>
          <div>
            <dt>Resting heart rate</dt>
            <dd>{patient.restingBpm === null ? "Not recorded" : `${patient.restingBpm} bpm`}</dd>
          </div>
        </dl>
      </section>

      <section className="card" aria-labelledby="devices-heading">
        <h2 id="devices-heading">Devices</h2>
        {patient.devices.length === 0 ? (
          <p>No devices are registered.</p>
        ) : (
          <table className="data-table" aria-labelledby="devices-heading">
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Label</th>
                <th scope="col">Last seen ({patient.timeZone})</th>
              </tr>
            </thead>
            <tbody>
              {patient.devices.map((device) => (
                <tr key={device.id}>
                  <th scope="row">{DEVICE_KIND_LABELS[device.kind]}</th>
                  <td>{device.label}</td>
                  <td className="nowrap-time">
                    {device.lastSeenAt ? <Timestamp value={device.lastSeenAt} timeZone={patient.timeZone} /> : "never"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" aria-labelledby="care-team-heading">
        <h2 id="care-team-heading">Care team</h2>
        {careTeam.length === 0 ? (
          <p>No clinicians are assigned yet.</p>
        ) : (
          <>
            <p className="hint">In the order they are contacted about an alert.</p>
            <ol className="care-team-list">
              {careTeam.map((member) => (
                <li key={member.clinicianId}>{member.displayName}</li>
              ))}
            </ol>
          </>
        )}
      </section>
    </>
  );
}
