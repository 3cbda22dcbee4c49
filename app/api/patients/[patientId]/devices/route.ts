import { registerDevice, ZRegisterDeviceSchema } from "@/lib/devices/register-device";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, withRoute } from "@/lib/http/with-route";

export const POST = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params, request }) => {
  const input = await readJsonBody(request, ZRegisterDeviceSchema);
  // The token is in this response and nowhere else: the server keeps only its hash.
  const { device, token } = await registerDevice({ db: server.database.prisma, actor, patientId: params.patientId, input });
  return json({ device, token }, { status: 201 });
});
