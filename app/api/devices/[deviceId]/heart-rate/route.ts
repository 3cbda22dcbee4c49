import { readJsonBody } from "@/lib/http/read-json-body";
import { json, withRoute } from "@/lib/http/with-route";
import { DEVICE_BATCH_MAX_BYTES, ingestHeartRate, ingestHeartRateUpload, isHeartRateUpload, parseHeartRateBatch, parseHeartRateUpload } from "@/lib/ingest";
import { z } from "zod";

// One batch, answered `{ ack }`; or an upload of several, `{ batches: [...] }` (a drained offline
// buffer), answered `{ results }` per batch. Each shape is checked by its own schema, so errors name
// the field as they would for that shape alone.
export const POST = withRoute<"device", { deviceId: string }>({ auth: "device" }, async ({ actor, server, params, request }) => {
  const body = await readJsonBody(request, z.unknown(), DEVICE_BATCH_MAX_BYTES);
  if (isHeartRateUpload(body)) {
    const { batches } = parseHeartRateUpload(body);
    return json(await ingestHeartRateUpload({ writer: server.ingest, actor, deviceId: params.deviceId, batches }));
  }
  const ack = await ingestHeartRate({ writer: server.ingest, actor, deviceId: params.deviceId, batch: parseHeartRateBatch(body) });
  return json({ ack });
});
