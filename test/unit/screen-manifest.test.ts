import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { AppError } from "@/lib/errors/app-error";
import { SCREEN_FEATURE_NAMES } from "@/lib/detect/screen";
import { DEFAULT_WATCH_SCREEN_MODEL_DIR, loadWatchScreenModel, sha256Hex, verifyWatchScreenArtifact } from "@/lib/detect/screen/load-watch-screen-model";

const manifestText = readFileSync(path.join(DEFAULT_WATCH_SCREEN_MODEL_DIR, "manifest.json"), "utf8");
const weightsBytes = new Uint8Array(readFileSync(path.join(DEFAULT_WATCH_SCREEN_MODEL_DIR, "weights.json")));
const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function writeArtifact(manifest: unknown, weights: Uint8Array): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), `watch-screen-${Math.random().toString(36).slice(2)}-`));
  directories.push(directory);
  writeFileSync(path.join(directory, "manifest.json"), JSON.stringify(manifest));
  writeFileSync(path.join(directory, "weights.json"), weights);
  return directory;
}

describe("watch-screen artifact", () => {
  it("loads the shipped model, a few kilobytes whose size and sha256 match the manifest", async () => {
    const { manifest, weights } = await loadWatchScreenModel();
    expect(manifest.sizeBytes).toBe(weightsBytes.byteLength);
    expect(manifest.sizeBytes).toBeLessThan(8 * 1024);
    expect(manifest.sha256).toBe(sha256Hex(weightsBytes));
    expect(manifest.features).toEqual([...SCREEN_FEATURE_NAMES]);
    expect(weights.hiddenWeights).toHaveLength(weights.hiddenUnits * SCREEN_FEATURE_NAMES.length);
    expect(manifest.thresholds.escalate).toBeGreaterThan(0);
    expect(manifest.deviceFit.parameters).toBe(manifest.deviceFit.multiplyAddsPerSample);
  });

  it("refuses weights whose bytes differ from the manifest's sha256, even at the same size", async () => {
    const tampered = Uint8Array.from(weightsBytes);
    // Flip one digit inside the weights: still valid JSON of the same length.
    const index = new TextDecoder().decode(tampered).search(/[1-8]/);
    tampered[index] = tampered[index]! + 1;
    const directory = writeArtifact(JSON.parse(manifestText), tampered);
    await expect(loadWatchScreenModel({ modelDir: directory })).rejects.toThrow(/sha256/);
    await expect(loadWatchScreenModel({ modelDir: directory })).rejects.toBeInstanceOf(AppError);
  });

  it("refuses truncated weights by their size", () => {
    expect(() => verifyWatchScreenArtifact({ manifestJson: JSON.parse(manifestText), weightsBytes: weightsBytes.subarray(0, 100) })).toThrow(/bytes, manifest says/);
  });

  it("refuses a manifest that fails its schema or was made for other features", () => {
    const manifest = JSON.parse(manifestText) as Record<string, unknown>;
    expect(() => verifyWatchScreenArtifact({ manifestJson: { ...manifest, sha256: "not-a-hash" }, weightsBytes })).toThrow(ZodError);
    const reordered = [...SCREEN_FEATURE_NAMES].reverse();
    expect(() => verifyWatchScreenArtifact({ manifestJson: { ...manifest, features: reordered }, weightsBytes })).toThrow(/other features/);
  });

  it("refuses weights with the wrong shape even when the hash is right", () => {
    const weights = JSON.parse(new TextDecoder().decode(weightsBytes)) as { hiddenBias: number[] };
    weights.hiddenBias = weights.hiddenBias.slice(1);
    const bytes = new TextEncoder().encode(JSON.stringify(weights));
    const manifest = { ...(JSON.parse(manifestText) as object), sizeBytes: bytes.byteLength, sha256: sha256Hex(bytes) };
    expect(() => verifyWatchScreenArtifact({ manifestJson: manifest, weightsBytes: bytes })).toThrow(ZodError);
  });

  it("reports a missing model as unavailable", async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "watch-screen-empty-"));
    directories.push(directory);
    await expect(loadWatchScreenModel({ modelDir: directory })).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});
