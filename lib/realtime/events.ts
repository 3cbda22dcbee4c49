// Realtime events, typed once and shared by the server and every client.
import { z } from "zod";

export type TAck<T> = (response: { ok: true; data: T } | { ok: false; error: { code: string; message: string } }) => void;

export const ZWatchPatientSchema = z.strictObject({ patientId: z.string().max(64) });

export interface ClientToServerEvents {
  /** Subscribe to one patient's live stream; allowed only where the access policy allows reading them. */
  "patient:watch": (payload: unknown, ack: TAck<{ patientId: string }>) => void;
  "patient:unwatch": (payload: unknown, ack: TAck<{ patientId: string }>) => void;
  "session:whoami": (ack: TAck<{ userId: string; role: string }>) => void;
}

export interface ServerToClientEvents {
  "session:expired": () => void;
}

export interface DeviceClientToServerEvents {
  "device:whoami": (ack: TAck<{ deviceId: string; patientId: string; kind: string }>) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DeviceServerToClientEvents {}

export type TSocketData = { actor: import("../auth/actor").TUserActor };
export type TDeviceSocketData = { actor: import("../auth/actor").TDeviceActor };

export const rooms = {
  user: (userId: string) => `user:${userId}`,
  patient: (patientId: string) => `patient:${patientId}`,
  hospitalAdmins: (hospitalId: string) => `hospital:${hospitalId}:admins`,
  device: (deviceId: string) => `device:${deviceId}`,
};
