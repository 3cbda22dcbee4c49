import type { DeviceKind, Role } from "../db/generated/enums.ts";

export type TUserActor = {
  kind: "user";
  userId: string;
  role: Role;
  hospitalId: string;
  /** Set when role is PATIENT: the patient record this user is. */
  patientId: string | null;
  displayName: string;
  email: string;
  sessionTokenHash: string;
  csrfToken: string;
};

export type TDeviceActor = {
  kind: "device";
  deviceId: string;
  deviceKind: DeviceKind;
  patientId: string;
  hospitalId: string;
};

export type TActor = TUserActor | TDeviceActor;

/** What the audit log records about whoever acted. */
export function describeActor(actor: TActor | null): { actorId: string | null; actorRole: string } {
  if (!actor) return { actorId: null, actorRole: "ANONYMOUS" };
  if (actor.kind === "device") return { actorId: actor.deviceId, actorRole: "DEVICE" };
  return { actorId: actor.userId, actorRole: actor.role };
}

export function isPatientSelf(actor: TActor, patientId: string): boolean {
  return actor.kind === "user" && actor.role === "PATIENT" && actor.patientId === patientId;
}
