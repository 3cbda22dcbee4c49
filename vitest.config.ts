import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    environment: "node",
    // PGlite and the Next build are heavy on two cores: keep parallelism modest and timeouts generous.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    env: { LOG_LEVEL: "error" },
  },
});
