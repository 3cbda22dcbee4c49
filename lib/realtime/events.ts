// Realtime events, typed once and shared by the server and every client.
import { z } from "zod";

export type TAckError = { code: string; message: string; retryAfterS?: number; fields?: { path: string; message: string }[] };
export type TAck<T> = (response: { ok: true; data: T } | { ok: false; error: TAckError }) => void;

export const ZWatchPatientSchema = z.strictObject({ patientId: z.string().max(64) });

export interface ClientToServerEvents {
  /** Subscribe to one patient's live stream; allowed only where the access policy allows reading them. */
  "patient:watch": (payload: unknown, ack: TAck<{ patientId: string }>) => void;
  "patient:unwatch": (payload: unknown, ack: TAck<{ patientId: string }>) => void;
  "session:whoami": (ack: TAck<{ userId: string; role: string }>) => void;
}

export type TLiveHeartRate = { patientId: string; startedAt: string; intervalMs: number; bpm: number[] };

export interface ServerToClientEvents {
  "session:expired": () => void;
  /** Pushed after the batch is stored, to clients watching that patient. */
  "patient:heart-rate": (payload: TLiveHeartRate) => void;
}

export type TIngestAckData = { deviceId: string; seq: number; status: "stored" | "duplicate"; samples: number };

export interface DeviceClientToServerEvents {
  "device:whoami": (ack: TAck<{ deviceId: string; patientId: string; kind: string }>) => void;
  /** Same body and rules as POST /api/devices/{id}/heart-rate; acknowledged once durable. */
  "heart-rate:batch": (payload: unknown, ack: TAck<TIngestAckData>) => void;
  "glucose:batch": (payload: unknown, ack: TAck<TIngestAckData>) => void;
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
