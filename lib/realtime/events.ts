// Realtime events, typed once and shared by the server and every client.
import { z } from "zod";
import type { TAlertEventView, TAlertView } from "../alerts/alert-views";

export type TAckError = { code: string; message: string; retryAfterS?: number; fields?: { path: string; message: string }[] };
export type TAck<T> = (response: { ok: true; data: T } | { ok: false; error: TAckError }) => void;

export const ZWatchPatientSchema = z.strictObject({ patientId: z.string().max(64) });

export interface ClientToServerEvents {
  /** Subscribe to one patient's live stream; allowed only where the access policy allows reading them. */
  "patient:watch": (payload: unknown, ack: TAck<{ patientId: string }>) => void;
  "patient:unwatch": (payload: unknown, ack: TAck<{ patientId: string }>) => void;
  "session:whoami": (ack: TAck<{ userId: string; role: string }>) => void;
  /** Catch-up after a (re)connect: every alert event after `afterEventId` that this user may see. */
  "alerts:sync": (payload: unknown, ack: TAck<{ events: TAlertEventView[]; hasMore: boolean }>) => void;
  /** Same rules as the HTTP routes under /api/alerts/{id}/. */
  "alert:acknowledge": (payload: unknown, ack: TAck<TAlertView>) => void;
  "alert:resolve": (payload: unknown, ack: TAck<TAlertView>) => void;
  "alert:snooze": (payload: unknown, ack: TAck<TAlertView>) => void;
}

export type TLiveHeartRate = { patientId: string; startedAt: string; intervalMs: number; bpm: number[] };

export interface ServerToClientEvents {
  "session:expired": () => void;
  /** Pushed after the batch is stored, to clients watching that patient. */
  "patient:heart-rate": (payload: TLiveHeartRate) => void;
  /** Every alert transition (opened, hit, acknowledged, snoozed, escalated, resolved), after its commit. */
  "alert:event": (payload: TAlertEventView) => void;
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
  hospitalClinicians: (hospitalId: string) => `hospital:${hospitalId}:clinicians`,
  device: (deviceId: string) => `device:${deviceId}`,
};
