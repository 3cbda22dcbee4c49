import { AppError } from "@/lib/errors/app-error";
import { submitRoundMessage } from "@/lib/fl/rounds";
import { readBodyBytes } from "@/lib/http/read-body-bytes";
import { readJsonBody } from "@/lib/http/read-json-body";
import { json, withRoute } from "@/lib/http/with-route";
import { z } from "zod";

// Shares grow with the roster (one ~230-byte entry per peer); the masked vector is the model's size x 4.
const MAX_JSON_BYTES = 256 * 1024;
const MAX_BINARY_BYTES = 4 * 1024 * 1024;

export const POST = withRoute<"hospital", { roundId: string; step: string }>({ auth: "hospital" }, async ({ actor, server, params, request }) => {
  const body =
    params.step === "masked"
      ? {
          kind: "binary" as const,
          read: () => {
            if (!/^application\/octet-stream(\s*;|$)/i.test(request.headers.get("content-type") ?? "")) {
              throw new AppError("UNSUPPORTED_MEDIA_TYPE", { message: "Send the masked vector as application/octet-stream" });
            }
            return readBodyBytes(request, { maxBytes: MAX_BINARY_BYTES, tooLarge: () => new AppError("PAYLOAD_TOO_LARGE", { message: `Body exceeds ${MAX_BINARY_BYTES} bytes` }) });
          },
        }
      : { kind: "json" as const, read: () => readJsonBody(request, z.unknown(), MAX_JSON_BYTES) };
  const result = await submitRoundMessage({
    db: server.database.prisma,
    participant: actor,
    roundId: params.roundId,
    step: params.step,
    body,
    publishRound: (roundId) => server.flRounds?.publish(roundId),
  });
  return json(result, { status: 202 });
});
