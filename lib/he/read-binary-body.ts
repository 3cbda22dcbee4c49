// Server-only. Reads an application/octet-stream body with a size limit, refusing before buffering more.
import { AppError } from "../errors/app-error";
import { HE_CONTENT_TYPE } from "./params";

export async function readBinaryBody(request: Request, maxBytes: number, what: string): Promise<Uint8Array> {
  const contentType = request.headers.get("content-type") ?? "";
  if (contentType.split(";")[0]?.trim().toLowerCase() !== HE_CONTENT_TYPE) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", { message: `Send the ${what} as ${HE_CONTENT_TYPE}` });
  }
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", { message: `${what} exceeds ${maxBytes} bytes` });
  if (Number(request.headers.get("content-length") ?? "0") > maxBytes) throw tooLarge();
  if (!request.body) throw new AppError("BAD_REQUEST", { message: `${what} is empty` });
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (total === 0) throw new AppError("BAD_REQUEST", { message: `${what} is empty` });
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
