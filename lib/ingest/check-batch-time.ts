import { AppError } from "../errors/app-error";

// Device clocks drift; two minutes of skew is accepted, anything later is a clock fault.
export const MAX_CLOCK_SKEW_MS = 2 * 60_000;
// An offline buffer may hold a week; older data is refused instead of rewriting settled rollups.
export const MAX_BATCH_AGE_MS = 7 * 24 * 60 * 60_000;

/** Throws VALIDATION_FAILED (naming the field) when a batch's time span is in the future or too old. */
export function checkBatchTime(options: { firstMs: number; lastMs: number; nowMs: number; field: string }): void {
  const { firstMs, lastMs, nowMs, field } = options;
  if (lastMs > nowMs + MAX_CLOCK_SKEW_MS) {
    throw new AppError("VALIDATION_FAILED", {
      message: "Batch ends in the future",
      fields: [{ path: field, message: `samples may end at most ${MAX_CLOCK_SKEW_MS / 1000} s after the server's clock` }],
    });
  }
  if (firstMs < nowMs - MAX_BATCH_AGE_MS) {
    throw new AppError("VALIDATION_FAILED", {
      message: "Batch is too old",
      fields: [{ path: field, message: "samples older than 7 days are not accepted" }],
    });
  }
}
