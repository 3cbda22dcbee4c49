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

export class AppError extends Error {
  readonly code: TErrorCode;
  readonly fields: TFieldError[] | undefined;
  readonly retryAfterS: number | undefined;

  constructor(code: TErrorCode, options: { message?: string; fields?: TFieldError[]; retryAfterS?: number } = {}) {
    super(options.message ?? code);
    this.name = "AppError";
    this.code = code;
    this.fields = options.fields;
    this.retryAfterS = options.retryAfterS;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
