// Server-only. Structured logs carry ids, codes and timings: never readings, names, ciphertexts or keys.
import pino from "pino";
import { getConfig } from "../config";

type TLogger = pino.Logger;

const globalForLog = globalThis as unknown as { __pulseguardLogger?: TLogger };

export function getLogger(): TLogger {
  globalForLog.__pulseguardLogger ??= pino({
    level: getConfig().LOG_LEVEL,
    base: { service: "pulseguard" },
    // Defence in depth: even if a caller passes these by mistake, they are not written.
    redact: {
      paths: ["password", "*.password", "token", "*.token", "cookie", "*.cookie", "authorization", "*.authorization"],
      censor: "[redacted]",
    },
  });
  return globalForLog.__pulseguardLogger;
}
