// The messages between a pool and its workers, checked on both sides (a worker is another thread, and
// a bad message must fail one task, not the pool).
import { z } from "zod";

export const ZWorkerErrorSchema = z.object({
  name: z.string(),
  message: z.string(),
  code: z.string().optional(),
  fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type TWorkerError = z.infer<typeof ZWorkerErrorSchema>;

export const ZWorkerToPoolMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("init-failed"), error: ZWorkerErrorSchema }),
  z.object({ type: z.literal("result"), taskId: z.number().int(), result: z.unknown() }),
  z.object({ type: z.literal("error"), taskId: z.number().int(), error: ZWorkerErrorSchema }),
]);
export type TWorkerToPoolMessage = z.infer<typeof ZWorkerToPoolMessageSchema>;

export const ZPoolToWorkerMessageSchema = z.object({ type: z.literal("task"), taskId: z.number().int(), request: z.unknown() });
export type TPoolToWorkerMessage = z.infer<typeof ZPoolToWorkerMessageSchema>;
