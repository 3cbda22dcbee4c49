import { getActiveHeKeySet } from "@/lib/he/get-active-he-key-set";
import { getHeEvalPool } from "@/lib/he/he-eval-pool";
import { HE_PARAMS_HEADER, MAX_KEY_SET_BYTES } from "@/lib/he/params";
import { readBinaryBody } from "@/lib/he/read-binary-body";
import { registerHeKeys } from "@/lib/he/register-he-keys";
import { json, withRoute } from "@/lib/http/with-route";

export const GET = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params }) => {
  return json(await getActiveHeKeySet({ db: server.database.prisma, actor, patientId: params.patientId }));
});

/** Registers or replaces the patient's evaluation keys: a SEAL GaloisKeys object as application/octet-stream. */
export const PUT = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params, request }) => {
  const keySet = await registerHeKeys({
    db: server.database.prisma,
    actor,
    patientId: params.patientId,
    paramsId: request.headers.get(HE_PARAMS_HEADER),
    readGaloisKeys: () => readBinaryBody(request, MAX_KEY_SET_BYTES, "galoisKeys"),
    pool: getHeEvalPool(),
  });
  return json({ keySet }, { status: 201 });
});
