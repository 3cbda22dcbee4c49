// Messages between route handlers and the HE evaluation workers, checked on both sides.
import { z } from "zod";

const ZBytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, { message: "expected bytes" });

export const ZHeEvalRequestSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("check-keys"), galoisKeys: ZBytes }),
  // galoisKeys may be left out when the worker probably has them cached; it answers "need-keys" if not.
  z.strictObject({ type: z.literal("forecast"), keyFingerprint: z.string().regex(/^[0-9a-f]{64}$/), galoisKeys: ZBytes.optional(), ciphertext: ZBytes }),
]);
export type THeEvalRequest = z.infer<typeof ZHeEvalRequestSchema>;

export const ZHeEvalResultSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("keys-ok"), keyCount: z.number().int() }),
  z.strictObject({ type: z.literal("forecast"), ciphertext: ZBytes, modelVersion: z.string() }),
  z.strictObject({ type: z.literal("need-keys") }),
]);
export type THeEvalResult = z.infer<typeof ZHeEvalResultSchema>;
