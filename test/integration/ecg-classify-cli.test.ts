import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZEcgLabelSchema } from "@/lib/detect/ecg/ecg-classes";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURES = path.join(ROOT, "test/fixtures/ecg");

async function classify(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "scripts/ecg-classify.ts", ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "error" } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("npm run ecg:classify", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ecg-classify-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("classifies every WFDB and MAT record of a directory, one JSON line each, then a summary", async () => {
    const { code, stdout, stderr } = await classify([FIXTURES]);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.record)).toEqual(["101s", "A00250", "A00264"]);
    for (const line of lines) {
      expect(ZEcgLabelSchema.safeParse(line.label).success).toBe(true);
      expect(line.confidence).toBeGreaterThan(0);
      expect(Object.keys(line.probabilities as object).sort()).toEqual(["atrial_fibrillation", "noise", "normal_sinus", "other_rhythm", "ventricular_ectopy"]);
      expect(line.modelVersion).toMatch(/^ecg-cnn@2\./);
    }
    // 101 and A00250 are in sinus rhythm at 70-90 bpm: the detector's rate says so whatever the label.
    expect(lines[0]!.heartRateBpm).toBeGreaterThan(55);
    expect(lines[0]!.heartRateBpm).toBeLessThan(100);
    expect(stderr).toMatch(/classified 3 of 3 recordings with ecg-cnn@/);
  });

  it("refuses a truncated record and a missing one with the file and reason, and exits non-zero", async () => {
    copyFileSync(path.join(FIXTURES, "A00250.hea"), path.join(dir, "A00250.hea"));
    writeFileSync(path.join(dir, "A00250.dat"), readFileSync(path.join(FIXTURES, "A00250.dat")).subarray(0, 1000));
    const { code, stdout, stderr } = await classify([path.join(dir, "A00250"), path.join(dir, "nothing-here"), path.join(FIXTURES, "A00264")]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/A00250\.dat: truncated: 1000 bytes/);
    expect(stderr).toMatch(/nothing-here\.hea: file not found/);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/classified 1 of 3 recordings .*2 failed/);
  });
});
