import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError, ERROR_STATUS, isAppError, type TErrorCode } from "@/lib/errors/app-error";
import { toAckError, toErrorBody, zodIssuesToFields } from "@/lib/errors/to-error-body";
import { errorResponse } from "@/lib/http/with-route";

const ZBody = z.strictObject({
  clinicianId: z.uuid(),
  rank: z.number().int().min(0).max(100),
  contact: z.strictObject({ phone: z.string() }).optional(),
});

function zodErrorFor(schema: z.ZodType, value: unknown): z.ZodError {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected the value to be invalid");
  return result.error;
}

describe("toErrorBody", () => {
  it("maps a ZodError to 422 VALIDATION_FAILED with the path of each bad field", () => {
    const { status, body } = toErrorBody(zodErrorFor(ZBody, { clinicianId: "nope", rank: "3" }));
    expect(status).toBe(422);
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.fields?.map((field) => field.path).sort()).toEqual(["clinicianId", "rank"]);
    for (const field of body.error.fields ?? []) expect(field.message).toEqual(expect.any(String));
  });

  it("reports each unknown key with its own path, including nested ones", () => {
    const error = zodErrorFor(ZBody, {
      clinicianId: "7a0f4c52-8d0e-4c3a-9b8f-2a2f1d7c1e11",
      rank: 1,
      isAdmin: true,
      extra: 1,
      contact: { phone: "1", fax: "2" },
    });
    const { status, body } = toErrorBody(error);
    expect(status).toBe(422);
    expect(body.error.fields?.map((field) => field.path).sort()).toEqual(["contact.fax", "extra", "isAdmin"]);
    expect(body.error.fields?.every((field) => field.message === "unknown field")).toBe(true);
  });

  it("names a missing field and a wrong root type", () => {
    expect(zodIssuesToFields(zodErrorFor(ZBody, { rank: 1 })).map((field) => field.path)).toEqual(["clinicianId"]);
    expect(zodIssuesToFields(zodErrorFor(ZBody, [])).map((field) => field.path)).toEqual(["(root)"]);
    expect(zodIssuesToFields(zodErrorFor(z.array(z.number()), [1, "two"])).map((field) => field.path)).toEqual(["1"]);
  });

  it("maps every AppError code to its status and keeps message, fields and retry-after", () => {
    for (const [code, status] of Object.entries(ERROR_STATUS) as [TErrorCode, number][]) {
      const result = toErrorBody(new AppError(code, { message: `msg ${code}` }));
      expect(result.status).toBe(status);
      expect(result.body).toEqual({ error: { code, message: `msg ${code}` } });
    }
    const throttled = toErrorBody(new AppError("THROTTLED", { message: "slow down", retryAfterS: 42 }));
    expect(throttled).toMatchObject({ status: 429, retryAfterS: 42 });
    const invalid = toErrorBody(new AppError("VALIDATION_FAILED", { fields: [{ path: "clinicianId", message: "no" }] }));
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.fields).toEqual([{ path: "clinicianId", message: "no" }]);
  });

  it("turns anything unexpected into a generic 500 that does not leak the original message", () => {
    const secret = "patient Jane Doe glucose 41 mg/dL at db host 10.0.0.7";
    for (const thrown of [new Error(secret), new TypeError(secret), secret, { message: secret }, null, undefined]) {
      const result = toErrorBody(thrown);
      expect(result.status).toBe(500);
      expect(result.body).toEqual({ error: { code: "INTERNAL", message: "Internal server error" } });
      expect(result.retryAfterS).toBeUndefined();
      expect(JSON.stringify(result.body)).not.toContain("Jane");
    }
  });
});

describe("AppError", () => {
  it("is recognised by isAppError and defaults its message to the code", () => {
    const error = new AppError("NOT_FOUND");
    expect(isAppError(error)).toBe(true);
    expect(isAppError(new Error("NOT_FOUND"))).toBe(false);
    expect(error.message).toBe("NOT_FOUND");
    expect(error.status).toBe(404);
  });
});

// server.ts (under tsx) and Next's route bundle each load lib/errors, so an AppError thrown by a
// singleton on globalThis (ingest writer, HE pool) comes from another copy of the module than the one
// the route maps errors with.
describe("AppError from another copy of the module", () => {
  async function loadSecondCopy(): Promise<typeof import("@/lib/errors/app-error")> {
    vi.resetModules();
    const copy = await import("@/lib/errors/app-error");
    expect(copy.AppError).not.toBe(AppError);
    return copy;
  }

  it("maps to its status, message and Retry-After through this copy's response mapping", async () => {
    const other = await loadSecondCopy();
    const conflict = new other.AppError("CONFLICT", { message: "Sequence number 7 was already used for different readings" });
    expect(isAppError(conflict)).toBe(true);
    expect(conflict instanceof AppError).toBe(true);
    expect(toErrorBody(conflict)).toMatchObject({ status: 409, body: { error: { code: "CONFLICT", message: conflict.message } } });

    const throttled = new other.AppError("THROTTLED", { message: "slow down", retryAfterS: 42 });
    const response = errorResponse(throttled, "test");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("42");
    expect(await response.json()).toEqual({ error: { code: "THROTTLED", message: "slow down" } });

    const invalid = new other.AppError("VALIDATION_FAILED", { fields: [{ path: "ciphertext", message: "too large" }] });
    expect(toErrorBody(invalid)).toMatchObject({ status: 422, body: { error: { fields: [{ path: "ciphertext", message: "too large" }] } } });
    expect(toAckError(new other.AppError("UNAVAILABLE", { retryAfterS: 1 }))).toMatchObject({ code: "UNAVAILABLE", retryAfterS: 1 });
  });

  it("is not forged by a look-alike: the brand needs an Error and a code from the closed set", async () => {
    const other = await loadSecondCopy();
    const brand = Symbol.for("pulseguard.AppError");
    const plain = { [brand]: true, name: "AppError", code: "CONFLICT", message: "x" };
    const unknownCode = Object.assign(new Error("x"), { [brand]: true, code: "TEAPOT" });
    const unbranded = Object.assign(new Error("x"), { name: "AppError", code: "CONFLICT" });
    for (const thrown of [plain, unknownCode, unbranded]) {
      expect(isAppError(thrown)).toBe(false);
      expect(other.isAppError(thrown)).toBe(false);
      expect(toErrorBody(thrown).status).toBe(500);
    }
  });
});
