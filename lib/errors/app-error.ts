// One closed set of error codes and one code-to-status table for every route and socket handler.
export const ERROR_STATUS = {
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  CSRF_FAILED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  THROTTLED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type TErrorCode = keyof typeof ERROR_STATUS;

export type TFieldError = { path: string; message: string };

// server.ts (under tsx) and Next's bundled routes load this module twice in one process, so the
// singletons on globalThis (ingest writer, worker pools) throw a different AppError class from the
// one a route imports. Identity is therefore a brand in the global symbol registry, shared by every
// copy, and never the class itself.
const APP_ERROR_BRAND = Symbol.for("pulseguard.AppError");

export function isErrorCode(value: unknown): value is TErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_STATUS, value);
}

export function isAppError(value: unknown): value is AppError {
  return (
    value instanceof Error &&
    (value as unknown as Record<symbol, unknown>)[APP_ERROR_BRAND] === true &&
    isErrorCode((value as { code?: unknown }).code)
  );
}

export class AppError extends Error {
  readonly code: TErrorCode;
  readonly fields: TFieldError[] | undefined;
  readonly retryAfterS: number | undefined;

  // `instanceof AppError` answers by the brand too, so a check left anywhere holds across copies.
  static [Symbol.hasInstance](value: unknown): boolean {
    return isAppError(value);
  }

  constructor(code: TErrorCode, options: { message?: string; fields?: TFieldError[]; retryAfterS?: number } = {}) {
    super(options.message ?? code);
    this.name = "AppError";
    this.code = code;
    this.fields = options.fields;
    this.retryAfterS = options.retryAfterS;
    // Not enumerable: spreads, equality checks and logs see the same fields as before.
    Object.defineProperty(this, APP_ERROR_BRAND, { value: true });
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
