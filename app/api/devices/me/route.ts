import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute({ auth: "device" }, async ({ actor }) =>
  json({ device: { id: actor.deviceId, kind: actor.deviceKind, patientId: actor.patientId } }),
);
