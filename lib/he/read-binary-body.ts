// Server-only. Reads an application/octet-stream body with a size limit, refusing before buffering more.
import { AppError } from "../errors/app-error";
import { readBodyBytes } from "../http/read-body-bytes";
import { HE_CONTENT_TYPE } from "./params";

export async function readBinaryBody(request: Request, maxBytes: number, what: string): Promise<Uint8Array> {
  const contentType = request.headers.get("content-type") ?? "";
  if (contentType.split(";")[0]?.trim().toLowerCase() !== HE_CONTENT_TYPE) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", { message: `Send the ${what} as ${HE_CONTENT_TYPE}` });
  }
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", { message: `${what} exceeds ${maxBytes} bytes` });
  if (Number(request.headers.get("content-length") ?? "0") > maxBytes) throw tooLarge();
  const body = await readBodyBytes(request, { maxBytes, tooLarge });
  if (body.byteLength === 0) throw new AppError("BAD_REQUEST", { message: `${what} is empty` });
  return body;
}
