// Server-only. Pushes committed alert changes to exactly the people who may see them: the care team's
// clinicians (and the whole hospital's once escalated there) get the clinician view, the patient their
// own view without notes. Through the Redis adapter this reaches sockets on every instance.
import type { TAlertPublisher } from "../alerts/alert-change";
import { toAlertEventView } from "../alerts/alert-views";
import { getAlertAudience } from "../alerts/get-alert-audience";
import type { TDb } from "../db/create-prisma-client";
import type { TRealtimeServer } from "./create-realtime-server";
import { rooms } from "./events";

export function createAlertPublisher(options: { io: TRealtimeServer; db: TDb }): TAlertPublisher {
  const { io, db } = options;
  return {
    async publish(changes, publishOptions) {
      const trace = publishOptions?.trace;
      for (const change of changes) {
        const audience = await getAlertAudience({ db, alert: change.alert });
        trace?.mark("audienceDone");
        const clinicianRooms = audience.clinicianIds.map(rooms.user);
        if (audience.isHospitalWide) clinicianRooms.push(rooms.hospitalClinicians(audience.hospitalId));
        // One emit to all rooms: a clinician in several of them still receives the event once.
        if (clinicianRooms.length > 0) io.to(clinicianRooms).emit("alert:event", toAlertEventView(change.event, change.alert, "clinician"));
        if (audience.patientUserId) io.to(rooms.user(audience.patientUserId)).emit("alert:event", toAlertEventView(change.event, change.alert, "patient"));
        trace?.mark("emitted");
      }
    },
  };
}
