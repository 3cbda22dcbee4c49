import { readJsonBody } from "@/lib/http/read-json-body";
import { json, withRoute } from "@/lib/http/with-route";
import { DEVICE_BATCH_MAX_BYTES, ingestGlucose, ZGlucoseBatchSchema } from "@/lib/ingest";

export const POST = withRoute<"device", { deviceId: string }>({ auth: "device" }, async ({ actor, server, params, request }) => {
  const batch = await readJsonBody(request, ZGlucoseBatchSchema, DEVICE_BATCH_MAX_BYTES);
  const ack = await ingestGlucose({ writer: server.ingest, actor, deviceId: params.deviceId, batch });
  return json({ ack });
});
