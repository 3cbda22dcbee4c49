// Server-side only (node:fs, node:crypto): reads the tier-1 artifact, validates the manifest and the
// weights with zod, and refuses weights whose size or SHA-256 differ from what the manifest declares,
// so a truncated download or a swapped file never scores patients.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors/app-error";
import { SCREEN_FEATURE_NAMES } from "./create-screen-features";
import { SCREEN_CLASSES, ZWatchScreenWeightsSchema, type TWatchScreenWeights } from "./screen-model";
import { WATCH_SCREEN_MANIFEST_FILE, ZWatchScreenManifestSchema, type TWatchScreenManifest } from "./watch-screen-manifest";

export const DEFAULT_WATCH_SCREEN_MODEL_DIR = path.join("public", "models", "watch-screen");

export type TWatchScreenModel = { manifest: TWatchScreenManifest; weights: TWatchScreenWeights };

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Checks one artifact given as its manifest JSON and the raw bytes of its weights file. */
export function verifyWatchScreenArtifact(options: { manifestJson: unknown; weightsBytes: Uint8Array }): TWatchScreenModel {
  const manifest = ZWatchScreenManifestSchema.parse(options.manifestJson);
  const { weightsBytes } = options;
  if (weightsBytes.byteLength !== manifest.sizeBytes) {
    throw new AppError("VALIDATION_FAILED", { message: `watch-screen weights are ${weightsBytes.byteLength} bytes, manifest says ${manifest.sizeBytes}` });
  }
  const digest = sha256Hex(weightsBytes);
  if (digest !== manifest.sha256) {
    throw new AppError("VALIDATION_FAILED", { message: `watch-screen weights sha256 ${digest} does not match the manifest's ${manifest.sha256}` });
  }
  if (manifest.features.join(",") !== SCREEN_FEATURE_NAMES.join(",") || manifest.classes.join(",") !== SCREEN_CLASSES.join(",")) {
    throw new AppError("VALIDATION_FAILED", { message: "watch-screen manifest was trained for other features or classes than this code computes" });
  }
  const weights = ZWatchScreenWeightsSchema.parse(JSON.parse(new TextDecoder().decode(weightsBytes)));
  return { manifest, weights };
}

export async function loadWatchScreenModel(options: { modelDir?: string } = {}): Promise<TWatchScreenModel> {
  const modelDir = options.modelDir ?? DEFAULT_WATCH_SCREEN_MODEL_DIR;
  let manifestText: string;
  let weightsBytes: Uint8Array;
  try {
    manifestText = await readFile(path.join(modelDir, WATCH_SCREEN_MANIFEST_FILE), "utf8");
    const manifest = ZWatchScreenManifestSchema.shape.file.parse(JSON.parse(manifestText).file);
    weightsBytes = new Uint8Array(await readFile(path.join(modelDir, manifest)));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("UNAVAILABLE", { message: `watch-screen model not readable in ${modelDir}: ${(error as Error).message}` });
  }
  return verifyWatchScreenArtifact({ manifestJson: JSON.parse(manifestText), weightsBytes });
}
