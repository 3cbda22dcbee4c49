// Realtime events, typed once and shared by the server and every client.
import { z } from "zod";
import type { TAlertEventView, TAlertView } from "../alerts/alert-views";
import type { TEcgRequestMessage, TEcgStripAck } from "../detect/service/ecg-strip-upload";
import type { TRoundView } from "../fl/rounds/round-views";

export type TAckError = { code: string; message: string; retryAfterS?: number; fields?: { path: string; message: string }[] };
export type TAck<T> = (response: { ok: true; data: T } | { ok: false; error: TAckError }) => void;

export const ZWatchPatientSchema = z.strictObject({ patientId: z.string().max(64) });
// At most 500 ids: a console shows a few hundred patients (lib/patients/assert-patients-visible.ts).
export const ZWatchPatientsSchema = z.strictObject({ patientIds: z.array(z.string().max(64)).min(1).max(500) });

export interface ClientToServerEvents {
  /** Subscribe to one patient's live stream; allowed only where the access policy allows reading them. */
  "patient:watch": (payload: unknown, ack: TAck<{ patientId: string }>) => void;
  "patient:unwatch": (payload: unknown, ack: TAck<{ patientId: string }>) => void;
  /** patient:watch for many patients at once (a clinician console): all must be readable, or none is joined. */
  "patients:watch": (payload: unknown, ack: TAck<{ patientIds: string[] }>) => void;
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
  /**
   * A federated round changed (stage, a hospital's status, metrics). Sent to the admins of every hospital:
   * the consortium's shared view, ids, hospital names and stages, no health data.
   */
  "fl:round": (payload: TRoundView) => void;
}

export type TIngestAckData = { deviceId: string; seq: number; status: "stored" | "duplicate"; samples: number };
/** One batch of an upload: stored (or a duplicate of a stored one), or refused with a reason (retryable when retryAfterS is set). */
export type TUploadBatchResultData = (TIngestAckData & { error?: undefined }) | { seq: number; error: TAckError; status?: undefined };

export interface DeviceClientToServerEvents {
  "device:whoami": (ack: TAck<{ deviceId: string; patientId: string; kind: string }>) => void;
  /** Same body and rules as POST /api/devices/{id}/heart-rate; acknowledged once durable. */
  "heart-rate:batch": (payload: unknown, ack: TAck<TIngestAckData>) => void;
  /**
   * Several heart-rate batches at once, `{ batches: [...] }` (a drained offline buffer): same body and
   * rules as POST /api/devices/{id}/heart-rate with `batches`; answered per batch once each is settled.
   */
  "heart-rate:batches": (payload: unknown, ack: TAck<{ results: TUploadBatchResultData[] }>) => void;
  "glucose:batch": (payload: unknown, ack: TAck<TIngestAckData>) => void;
  /** The answer to "ecg:request": the strip, stored before it is acknowledged. */
  "ecg:strip": (payload: unknown, ack: TAck<TEcgStripAck>) => void;
}

export interface DeviceServerToClientEvents {
  /** A tier-1 hit: record a single-lead strip now and send it back with "ecg:strip". */
  "ecg:request": (payload: TEcgRequestMessage) => void;
}

export type TSocketData = { actor: import("../auth/actor").TUserActor };
export type TDeviceSocketData = { actor: import("../auth/actor").TDeviceActor };

export const rooms = {
  user: (userId: string) => `user:${userId}`,
  patient: (patientId: string) => `patient:${patientId}`,
  hospitalAdmins: (hospitalId: string) => `hospital:${hospitalId}:admins`,
  /** Every hospital's admins: the members of the federated-training consortium. */
  consortiumAdmins: () => "consortium:admins",
  hospitalClinicians: (hospitalId: string) => `hospital:${hospitalId}:clinicians`,
  device: (deviceId: string) => `device:${deviceId}`,
};
