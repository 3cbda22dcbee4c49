// End-to-end tests run the server as `npm start` does: in production mode, from a `next build`. Production
// servers start in seconds and, unlike `next dev`, several can run from one checkout at once (the crash
// test restarts its server; test files run in parallel). The build is redone only when the sources changed.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const PROJECT_DIR = path.resolve(import.meta.dirname, "..");
const STAMP = path.join(PROJECT_DIR, ".next", "pulseguard-sources.sha256");
const INPUTS = ["app", "lib", "public", "next.config.js", "package-lock.json", "tsconfig.json"];

function hashSources(): string {
  const hash = createHash("sha256");
  const visit = (relative: string) => {
    const full = path.join(PROJECT_DIR, relative);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) if (entry !== "generated") visit(path.join(relative, entry));
      return;
    }
    hash.update(relative).update(readFileSync(full));
  };
  INPUTS.forEach(visit);
  return hash.digest("hex");
}

// A run filtered to unit or integration files (`vitest run test/unit/x.test.ts`) starts no server and
// needs no build; `npm test` (no filter) and any filter naming e2e files do.
function needsBuild(project: unknown): boolean {
  const patterns = (project as { vitest?: { filenamePattern?: string[] } } | undefined)?.vitest?.filenamePattern;
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((pattern) => pattern.includes("e2e"));
}

export function setup(project?: unknown): void {
  if (!needsBuild(project)) return;
  const sources = hashSources();
  const isFresh = existsSync(path.join(PROJECT_DIR, ".next", "BUILD_ID")) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === sources;
  if (isFresh) return;
  process.stdout.write("Building the app for the end-to-end tests (next build)...\n");
  const result = spawnSync(process.execPath, [path.join(PROJECT_DIR, "node_modules/next/dist/bin/next"), "build"], {
    cwd: PROJECT_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
  writeFileSync(STAMP, sources);
}
