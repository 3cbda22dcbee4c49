import { evaluateEncryptedForecast } from "@/lib/he/evaluate-encrypted-forecast";
import { getHeEvalPool } from "@/lib/he/he-eval-pool";
import { HE_CONTENT_TYPE, HE_KEY_FINGERPRINT_HEADER, HE_MODEL_VERSION_HEADER, HE_PARAMS, HE_PARAMS_HEADER, MAX_FORECAST_CIPHERTEXT_BYTES } from "@/lib/he/params";
import { readBinaryBody } from "@/lib/he/read-binary-body";
import { withRoute } from "@/lib/http/with-route";

/** Encrypted features in (application/octet-stream), the encrypted 30-min forecast out. */
export const POST = withRoute<"user", { patientId: string }>({ auth: "user" }, async ({ actor, server, params, request }) => {
  const result = await evaluateEncryptedForecast({
    db: server.database.prisma,
    actor,
    patientId: params.patientId,
    paramsId: request.headers.get(HE_PARAMS_HEADER),
    keyFingerprint: request.headers.get(HE_KEY_FINGERPRINT_HEADER),
    readCiphertext: () => readBinaryBody(request, MAX_FORECAST_CIPHERTEXT_BYTES, "ciphertext"),
    pool: getHeEvalPool(),
  });
  return new Response(result.ciphertext as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      "content-type": HE_CONTENT_TYPE,
      "cache-control": "no-store",
      [HE_PARAMS_HEADER]: HE_PARAMS.id,
      [HE_MODEL_VERSION_HEADER]: result.modelVersion,
    },
  });
});
