import type { z } from "zod";

/** Parses the query string with a schema; a repeated key keeps its last value. */
export function readQuery<TSchema extends z.ZodType>(request: Request, schema: TSchema): z.infer<TSchema> {
  const params = new URL(request.url).searchParams;
  return schema.parse(Object.fromEntries(params.entries()));
}
