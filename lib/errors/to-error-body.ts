import { ZodError } from "zod";
import { ERROR_STATUS, isAppError, type TErrorCode, type TFieldError } from "./app-error";

export type TErrorBody = { error: { code: TErrorCode; message: string; fields?: TFieldError[] } };

export function zodIssuesToFields(error: ZodError): TFieldError[] {
  return error.issues.flatMap((issue) => {
    // Unknown keys are reported one path each, so a client sees exactly which field to drop.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...issue.path, key].join("."), message: "unknown field" }));
    }
    return [{ path: issue.path.join(".") || "(root)", message: issue.message }];
  });
}

/**
 * Maps anything thrown to a status and a body. Unexpected errors become a generic 500: their message
 * may carry health data or internals, so it never reaches the client.
 */
export function toErrorBody(error: unknown): { status: number; body: TErrorBody; retryAfterS?: number } {
  if (error instanceof ZodError) {
    return {
      status: 422,
      body: { error: { code: "VALIDATION_FAILED", message: "Request validation failed", fields: zodIssuesToFields(error) } },
    };
  }
  // By brand, not by class: an AppError thrown by a singleton comes from another copy of this module.
  if (isAppError(error)) {
    const body: TErrorBody = { error: { code: error.code, message: error.message } };
    if (error.fields) body.error.fields = error.fields;
    return { status: ERROR_STATUS[error.code], body, retryAfterS: error.retryAfterS };
  }
  return { status: 500, body: { error: { code: "INTERNAL", message: "Internal server error" } } };
}

/** The same for a socket acknowledgement or one batch of an upload: the error body with its retry time. */
export function toAckError(error: unknown): TErrorBody["error"] & { retryAfterS?: number } {
  const { body, retryAfterS } = toErrorBody(error);
  return { ...body.error, ...(retryAfterS ? { retryAfterS } : {}) };
}
