// Server-only. Reads a request body up to a size limit, refusing as soon as it is exceeded instead of
// buffering whatever a client sends.
import type { AppError } from "../errors/app-error";

export async function readBodyBytes(request: Request, options: { maxBytes: number; tooLarge: () => AppError }): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > options.maxBytes) {
      await reader.cancel();
      throw options.tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
