// Server-only.
import { assertRole, patientScopeFor } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import { recordPatientReads } from "../audit/record-patient-reads";
import type { TDb } from "../db/create-prisma-client";
import { AppError } from "../errors/app-error";

export async function getHospitalOverview(options: { db: TDb; actor: TActor }) {
  const { db, actor } = options;
  assertRole(actor, ["HOSPITAL_ADMIN"]);
  const { hospitalId } = actor;
  // For a hospital admin the policy scope is exactly { hospitalId }; going through it keeps one place
  // that decides who sees which patients.
  const patientScope = patientScopeFor(actor);

  const [hospital, clinicians, patients, activeDeviceCount] = await Promise.all([
    db.hospital.findUnique({ where: { id: hospitalId }, select: { name: true } }),
    db.user.findMany({
      // Disabled accounts cannot sign in or be paged, so they are not counted as staff.
      where: { hospitalId, role: "CLINICIAN", disabledAt: null },
      select: {
        id: true,
        displayName: true,
        email: true,
        _count: { select: { careAssignments: { where: { patient: { hospitalId } } } } },
      },
      orderBy: { displayName: "asc" },
    }),
    db.patient.findMany({
      where: patientScope,
      select: {
        id: true,
        displayName: true,
        timeZone: true,
        careTeam: {
          select: { clinician: { select: { id: true, displayName: true } } },
          orderBy: [{ rank: "asc" }, { createdAt: "asc" }],
        },
      },
      orderBy: { displayName: "asc" },
    }),
    db.device.count({ where: { revokedAt: null, patient: patientScope } }),
  ]);
  if (!hospital) throw new AppError("NOT_FOUND", { message: "Hospital not found" });

  // Listing patients by name is a read of their data by someone other than them, so it is audited
  // like listPatients does.
  await recordPatientReads({ db, actor, action: "patient.list", patients: patients.map((patient) => ({ id: patient.id, hospitalId })) });

  return {
    hospital: { id: hospitalId, name: hospital.name },
    clinicianCount: clinicians.length,
    patientCount: patients.length,
    activeDeviceCount,
    patients: patients.map((patient) => ({
      id: patient.id,
      displayName: patient.displayName,
      timeZone: patient.timeZone,
      careTeam: patient.careTeam.map((member) => ({ clinicianId: member.clinician.id, displayName: member.clinician.displayName })),
    })),
    clinicians: clinicians.map((clinician) => ({
      id: clinician.id,
      displayName: clinician.displayName,
      email: clinician.email,
      patientCount: clinician._count.careAssignments,
    })),
  };
}
