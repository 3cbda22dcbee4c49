// Server-only. Reads the committed artifact from disk and refuses anything that does not match its
// manifest: a model that decides whether a clinician is alerted must be the model that was evaluated.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type * as TTf from "@tensorflow/tfjs";
import { z } from "zod";
import { AppError, zodIssuesToFields } from "../../errors";
import { getLogger } from "../../log/logger";
import { ECG_CLASSES } from "./ecg-classes";
import { MODEL_DURATION_S, MODEL_INPUT_LENGTH, MODEL_SAMPLE_RATE_HZ, RR_FEATURE_COUNT, RR_FEATURE_NAMES } from "./ecg-input-spec";
import { ZEcgModelManifestSchema, type TEcgModelManifest } from "./ecg-model-manifest";

export const DEFAULT_ECG_MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../public/models/ecg-cnn");

const ZModelJsonSchema = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z
    .array(
      z.object({
        paths: z.array(z.literal("weights.bin")).length(1),
        weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.literal("float32") })),
      }),
    )
    .length(1),
  format: z.string().optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
});

export type TLoadedEcgModel = {
  manifest: TEcgModelManifest;
  modelVersion: string;
  /** Class probabilities in ECG_CLASSES order for one preprocessed strip (preprocessEcgStrip). */
  predict(signal: Float32Array, rrFeatures: Float32Array): Float32Array;
  dispose(): void;
};

const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function refuse(message: string): never {
  throw new AppError("INTERNAL", { message: `ECG model refused: ${message}` });
}

function parseJsonFile<T>(text: string, schema: z.ZodType<T>, file: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    refuse(`${file} is not valid JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const fields = zodIssuesToFields(parsed.error);
    throw new AppError("INTERNAL", { message: `ECG model refused: ${file} does not match its schema`, fields });
  }
  return parsed.data;
}

/** Reads and verifies the artifact, then loads it for inference on the WASM backend; AppError INTERNAL when refused. */
export async function loadEcgModel(options: { modelDir?: string } = {}): Promise<TLoadedEcgModel> {
  const modelDir = options.modelDir ?? DEFAULT_ECG_MODEL_DIR;
  const startedAt = performance.now();
  const [manifestText, modelJsonBytes, weightBytes] = await Promise.all([
    readFile(path.join(modelDir, "manifest.json"), "utf8"),
    readFile(path.join(modelDir, "model.json")),
    readFile(path.join(modelDir, "weights.bin")),
  ]).catch((error: unknown) => {
    const code = (error as { code?: string }).code ?? "unknown";
    throw new AppError("INTERNAL", { message: `ECG model artifact could not be read from ${modelDir} (${code})` });
  });
  const manifest = parseJsonFile(manifestText, ZEcgModelManifestSchema, "manifest.json");

  if (weightBytes.byteLength !== manifest.sizeBytes) refuse(`weights.bin is ${weightBytes.byteLength} bytes, the manifest says ${manifest.sizeBytes}`);
  if (sha256Hex(weightBytes) !== manifest.sha256) refuse("weights.bin does not match the sha256 in manifest.json (tampered or corrupt artifact)");
  if (sha256Hex(modelJsonBytes) !== manifest.modelJsonSha256) refuse("model.json does not match the sha256 in manifest.json (tampered or corrupt artifact)");
  // The code that prepares strips and reads probabilities must agree with what the model was trained on.
  if (manifest.classes.join() !== ECG_CLASSES.join()) refuse("its classes differ from ECG_CLASSES");
  const input = manifest.input;
  if (input.sampleRateHz !== MODEL_SAMPLE_RATE_HZ || input.durationS !== MODEL_DURATION_S || input.length !== MODEL_INPUT_LENGTH) {
    refuse("its input spec differs from this code's preprocessing");
  }
  if (input.rrFeatures.join() !== RR_FEATURE_NAMES.join()) refuse("its RR features differ from this code's");

  const modelJson = parseJsonFile(modelJsonBytes.toString("utf8"), ZModelJsonSchema, "model.json");
  const weightSpecs = modelJson.weightsManifest[0]!.weights;
  const expectedBytes = weightSpecs.reduce((sum, spec) => sum + 4 * spec.shape.reduce((product, size) => product * size, 1), 0);
  if (expectedBytes !== weightBytes.byteLength) refuse("model.json's weight specs do not add up to weights.bin");

  // tfjs is imported only now, for an artifact that passed every check: a worker with a tampered model
  // fails in milliseconds instead of after loading tfjs and its WASM binary.
  const tf = await import("@tensorflow/tfjs");
  const { useWasmBackend } = await import("./use-wasm-backend");
  await useWasmBackend();
  const weightData = weightBytes.buffer.slice(weightBytes.byteOffset, weightBytes.byteOffset + weightBytes.byteLength);
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: weightSpecs as TTf.io.WeightsManifestEntry[], weightData }),
  );
  const modelVersion = `${manifest.name}@${manifest.version}`;
  getLogger().info({ modelVersion, weightsSha256: manifest.sha256, loadMs: Math.round(performance.now() - startedAt) }, "ECG model loaded and verified");
  return {
    manifest,
    modelVersion,
    predict: (signal, rrFeatures) =>
      tf.tidy(() => {
        const inputs = [tf.tensor3d(signal, [1, MODEL_INPUT_LENGTH, 1]), tf.tensor2d(rrFeatures, [1, RR_FEATURE_COUNT])];
        return Float32Array.from((model.predict(inputs) as TTf.Tensor).dataSync());
      }),
    dispose: () => model.dispose(),
  };
}
