import type { z } from "zod";
import { AppError } from "../errors/app-error";
import { readBodyBytes } from "./read-body-bytes";

// Bodies in this API are small forms and device batches; anything larger is refused before parsing.
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Reads a JSON body with a size limit, then validates it; throws before anything is written. */
export async function readJsonBody<TSchema extends z.ZodType>(
  request: Request,
  schema: TSchema,
  maxBytes = DEFAULT_MAX_BODY_BYTES,
): Promise<z.infer<TSchema>> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json(\s*;|$)/i.test(contentType)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", { message: "Send the body as application/json" });
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);

  const text = await readTextWithLimit(request, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("MALFORMED_JSON", { message: "Body is not valid JSON" });
  }
  return schema.parse(value);
}

function tooLarge(maxBytes: number) {
  return new AppError("PAYLOAD_TOO_LARGE", { message: `Body exceeds ${maxBytes} bytes` });
}

async function readTextWithLimit(request: Request, maxBytes: number): Promise<string> {
  return Buffer.from(await readBodyBytes(request, { maxBytes, tooLarge: () => tooLarge(maxBytes) })).toString("utf8");
}
