// Server-only. socket.io on the app's HTTP server. Every handshake is authenticated in io.use before a
// socket exists; every payload is parsed; room membership follows the access policy.
import type { Server as HttpServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server, type Socket } from "socket.io";
import { z } from "zod";
import { acknowledgeAlert } from "../alerts/acknowledge-alert";
import type { TAlertChange, TAlertPublisher } from "../alerts/alert-change";
import { toAlertView } from "../alerts/alert-views";
import { listAlertEventsSince } from "../alerts/list-alert-events-since";
import { publishAfterReply } from "../alerts/publish-after-reply";
import { resolveAlert, ZResolveAlertSchema } from "../alerts/resolve-alert";
import { snoozeAlert, ZSnoozeAlertSchema } from "../alerts/snooze-alert";
import { getPatientForActorOrThrow } from "../auth/access-policy";
import { assertPatientsVisibleOrThrow } from "../patients/assert-patients-visible";
import type { TDetectionService } from "../detect/service/create-detection-service";
import { ZEcgStripUploadSchema, type TEcgRequestMessage } from "../detect/service/ecg-strip-upload";
import { authenticateDevice, readBearerToken } from "../auth/authenticate-device";
import { getSessionActor, SESSION_COOKIE } from "../auth/sessions";
import type { TDb } from "../db/create-prisma-client";
import { AppError } from "../errors/app-error";
import { toAckError } from "../errors/to-error-body";
import { parseHeartRateBatch, parseHeartRateUpload, ZGlucoseBatchSchema } from "../ingest/batch-schemas";
import type { TIngestWriter } from "../ingest/create-ingest-writer";
import { ingestGlucose } from "../ingest/ingest-glucose";
import { ingestHeartRate, ingestHeartRateUpload } from "../ingest/ingest-heart-rate";
import { parseCookies } from "../http/cookies";
import { isAllowedOrigin } from "../http/with-route";
import { getLogger } from "../log/logger";
import { createAlertPublisher } from "./create-alert-publisher";
import { createRoundProgressPublisher, type TRoundProgressPublisher } from "./create-round-progress-publisher";
import { pushStoredHeartRate } from "./push-stored-heart-rate";
import {
  rooms,
  ZWatchPatientSchema,
  ZWatchPatientsSchema,
  type ClientToServerEvents,
  type DeviceClientToServerEvents,
  type DeviceServerToClientEvents,
  type ServerToClientEvents,
  type TAck,
  type TDeviceSocketData,
  type TSocketData,
} from "./events";

export type TRealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, TSocketData>;

export type TRealtime = {
  io: TRealtimeServer;
  /** Pushes committed alert changes to the sockets allowed to see them (on every instance). */
  alerts: TAlertPublisher;
  /** Pushes federated-round progress to every hospital's admins (coalesced per round). */
  flRounds: TRoundProgressPublisher;
  /** The detection cascade fed by stored heart rate, when the server runs one. */
  detection: TDetectionService | undefined;
  close(): Promise<void>;
};

const ZAlertRefSchema = z.strictObject({ alertId: z.string().max(20) });

/** Runs a handler and answers its ack with the result or the mapped error, whatever the client sent as ack. */
async function answer<T>(ack: TAck<T> | undefined, work: () => Promise<T>): Promise<void> {
  try {
    const data = await work();
    if (typeof ack === "function") ack({ ok: true, data });
  } catch (error) {
    failAck(ack, error);
  }
}

function failAck<T>(ack: TAck<T> | undefined, error: unknown) {
  if (typeof ack === "function") ack({ ok: false, error: toAckError(error) });
}

export async function createRealtimeServer(options: {
  httpServer: HttpServer;
  db: TDb;
  publicOrigin?: string;
  redisUrl?: string;
  /**
   * Where device batches arriving over the socket are written, and whose commits are pushed live to the
   * clients watching each patient; without it the device namespace only identifies.
   */
  ingest?: TIngestWriter;
  /**
   * Builds the detection cascade once the socket server exists: it needs to reach watches (ECG
   * requests) and clinicians (alerts). It is fed every stored heart-rate batch and answers "ecg:strip".
   */
  createDetection?: (deps: { requestStrip(deviceId: string, message: TEcgRequestMessage): void; alerts: TAlertPublisher }) => TDetectionService;
}): Promise<TRealtime> {
  const { db } = options;
  const logger = getLogger();
  const io: TRealtimeServer = new Server(options.httpServer, {
    serveClient: false,
    maxHttpBufferSize: 1024 * 1024,
    allowRequest: (request, callback) => {
      // The WebSocket equivalent of CSRF: a cookie-authenticated socket must come from our own origin.
      const { origin, host } = request.headers;
      callback(null, origin === undefined || isAllowedOrigin(origin, host, options.publicOrigin));
    },
  });

  const redisClients: { quit(): Promise<unknown> }[] = [];
  if (options.redisUrl) {
    const pub = createClient({ url: options.redisUrl });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    redisClients.push(pub, sub);
    io.adapter(createAdapter(pub, sub));
  }

  // Write first, then acknowledge, then push: live heart rate goes out only after the commit.
  // Without Redis every watcher is connected here, so patients nobody watches can be skipped.
  options.ingest?.onStored((stored) => pushStoredHeartRate(io, stored, { localRoomsOnly: !options.redisUrl }));
  const alerts = createAlertPublisher({ io, db });
  const flRounds = createRoundProgressPublisher({ io, db });

  io.use(async (socket, next) => {
    try {
      const token = parseCookies(socket.handshake.headers.cookie ?? null).get(SESSION_COOKIE);
      const actor = token ? await getSessionActor({ db, token }) : null;
      if (!actor) return next(new Error("UNAUTHENTICATED"));
      socket.data.actor = actor;
      next();
    } catch {
      next(new Error("INTERNAL"));
    }
  });

  io.on("connection", (socket: Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, TSocketData>) => {
    const { actor } = socket.data;
    void socket.join(rooms.user(actor.userId));
    if (actor.role === "HOSPITAL_ADMIN") void socket.join([rooms.hospitalAdmins(actor.hospitalId), rooms.consortiumAdmins()]);
    if (actor.role === "CLINICIAN") void socket.join(rooms.hospitalClinicians(actor.hospitalId));
    logger.debug({ socketId: socket.id, userId: actor.userId, role: actor.role }, "socket connected");

    socket.on("session:whoami", (ack) => {
      if (typeof ack === "function") ack({ ok: true, data: { userId: actor.userId, role: actor.role } });
    });

    socket.on("patient:watch", (payload, ack) =>
      answer(ack, async () => {
        const { patientId } = ZWatchPatientSchema.parse(payload);
        await getPatientForActorOrThrow({ db, actor, patientId, action: "patient.watch" });
        await socket.join(rooms.patient(patientId));
        return { patientId };
      }),
    );

    socket.on("patients:watch", (payload, ack) =>
      answer(ack, async () => {
        const { patientIds } = ZWatchPatientsSchema.parse(payload);
        const allowed = await assertPatientsVisibleOrThrow({ db, actor, patientIds, action: "patient.watch" });
        await socket.join(allowed.map((patientId) => rooms.patient(patientId)));
        return { patientIds: allowed };
      }),
    );

    socket.on("alerts:sync", (payload, ack) => answer(ack, () => listAlertEventsSince({ db, actor, input: (payload ?? {}) as never })));

    // Write, acknowledge the caller, then push to everyone else who sees the alert.
    const changeAlert = (ack: TAck<ReturnType<typeof toAlertView>> | undefined, work: () => Promise<TAlertChange>) =>
      answer(ack, async () => {
        const change = await work();
        publishAfterReply(alerts, [change]);
        return toAlertView(change.alert);
      });
    socket.on("alert:acknowledge", (payload, ack) =>
      changeAlert(ack, async () => acknowledgeAlert({ db, actor, alertId: ZAlertRefSchema.parse(payload).alertId })),
    );
    socket.on("alert:resolve", (payload, ack) =>
      changeAlert(ack, async () => {
        const { alertId, ...input } = ZAlertRefSchema.extend(ZResolveAlertSchema.shape).parse(payload);
        return resolveAlert({ db, actor, alertId, input });
      }),
    );
    socket.on("alert:snooze", (payload, ack) =>
      changeAlert(ack, async () => {
        const { alertId, ...input } = ZAlertRefSchema.extend(ZSnoozeAlertSchema.shape).parse(payload);
        return snoozeAlert({ db, actor, alertId, input });
      }),
    );

    socket.on("patient:unwatch", (payload, ack) =>
      answer(ack, async () => {
        const { patientId } = ZWatchPatientSchema.parse(payload);
        await socket.leave(rooms.patient(patientId));
        return { patientId };
      }),
    );
  });

  const devices = io.of("/device") as unknown as Server<
    DeviceClientToServerEvents,
    DeviceServerToClientEvents,
    Record<string, never>,
    TDeviceSocketData
  >;
  const detection = options.createDetection?.({
    alerts,
    requestStrip: (deviceId, message) => devices.to(rooms.device(deviceId)).emit("ecg:request", message),
  });
  if (detection) options.ingest?.onStored((stored, timing) => detection.onStored(stored, timing));

  devices.use(async (socket, next) => {
    try {
      const authToken: unknown = socket.handshake.auth?.token;
      const token = typeof authToken === "string" ? authToken : readBearerToken(socket.handshake.headers.authorization);
      const actor = token ? await authenticateDevice({ db, token }) : null;
      if (!actor) return next(new Error("UNAUTHENTICATED"));
      socket.data.actor = actor;
      next();
    } catch {
      next(new Error("INTERNAL"));
    }
  });
  devices.on("connection", (socket) => {
    const { actor } = socket.data;
    void socket.join(rooms.device(actor.deviceId));
    socket.on("device:whoami", (ack) => {
      if (typeof ack === "function") ack({ ok: true, data: { deviceId: actor.deviceId, patientId: actor.patientId, kind: actor.deviceKind } });
    });
    const getWriter = () => {
      if (!options.ingest) throw new AppError("UNAVAILABLE", { message: "Ingest is not enabled here" });
      return options.ingest;
    };
    socket.on("heart-rate:batch", (payload, ack) =>
      answer(ack, () => ingestHeartRate({ writer: getWriter(), actor, deviceId: actor.deviceId, batch: parseHeartRateBatch(payload) })),
    );
    socket.on("heart-rate:batches", (payload, ack) =>
      answer(ack, () => ingestHeartRateUpload({ writer: getWriter(), actor, deviceId: actor.deviceId, batches: parseHeartRateUpload(payload).batches })),
    );
    socket.on("glucose:batch", (payload, ack) =>
      answer(ack, () => ingestGlucose({ writer: getWriter(), actor, deviceId: actor.deviceId, batch: ZGlucoseBatchSchema.parse(payload) })),
    );
    socket.on("ecg:strip", (payload, ack) =>
      answer(ack, async () => {
        if (!detection) throw new AppError("UNAVAILABLE", { message: "Detection is not enabled here" });
        return detection.acceptStrip({ actor, upload: ZEcgStripUploadSchema.parse(payload) });
      }),
    );
  });

  return {
    io,
    alerts,
    flRounds,
    detection,
    async close() {
      flRounds.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await Promise.all(redisClients.map((client) => client.quit().catch(() => undefined)));
    },
  };
}
