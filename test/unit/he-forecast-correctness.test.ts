// The encrypted path computes the same forecast as the plaintext model: 1,000 random inputs through
// client encryption, server evaluation and client decryption, each within 0.01 mg/dL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeForecastFeatures, HISTORY_READINGS, type TForecastInput } from "@/lib/glucose-forecast/features";
import { predictGlucoseLinear } from "@/lib/glucose-forecast/linear-model";
import { loadForecastWeights } from "@/lib/glucose-forecast/model-files";
import { createForecastEvaluator, type TForecastEvaluator } from "@/lib/he/create-forecast-evaluator";
import { createHeClient, type THeClient } from "@/lib/he/create-he-client";
import { fingerprintKeySet } from "@/lib/he/fingerprint-key-set";
import { loadSeal } from "@/lib/he/load-seal";
import { HE_PARAMS } from "@/lib/he/params";
import { createRng, type TRng } from "@/lib/sim/rng";

const MAX_ERROR_MG_DL = 0.01;
const CASES = 1000;

function randomInput(rng: TRng): TForecastInput {
  const readingsMgDl: number[] = [];
  let glucose = rng.uniform(50, 350);
  for (let index = 0; index < HISTORY_READINGS; index += 1) {
    readingsMgDl.push(Math.round(Math.min(400, Math.max(40, glucose))));
    glucose += rng.normal(0, 8);
  }
  return {
    readingsMgDl,
    carbs: Array.from({ length: rng.int(0, 3) }, () => ({ minutesAgo: rng.uniform(0, 240), grams: rng.uniform(5, 120) })),
    insulin: Array.from({ length: rng.int(0, 3) }, () => ({ minutesAgo: rng.uniform(0, 240), units: rng.uniform(0.5, 15) })),
    exercise: rng.chance(0.3) ? [{ minutesAgo: rng.uniform(0, 240), durationMin: rng.uniform(10, 90), intensity: rng.uniform(0.2, 1) }] : [],
    carbRatioGPerU: rng.uniform(4, 25),
    correctionFactorMgDlPerU: rng.uniform(20, 160),
  };
}

let client: THeClient;
let evaluator: TForecastEvaluator;
let galoisKeys: Uint8Array;
let keyFingerprint: string;
const { weights } = loadForecastWeights();

beforeAll(async () => {
  const seal = await loadSeal();
  client = createHeClient({ seal });
  evaluator = createForecastEvaluator({ seal, weights });
  galoisKeys = client.createEvaluationKeys();
  keyFingerprint = await fingerprintKeySet({ paramsId: HE_PARAMS.id, galoisKeys });
});

afterAll(() => {
  client.delete();
  evaluator.delete();
});

describe("encrypted forecast correctness", () => {
  it(`matches the plaintext model within ${MAX_ERROR_MG_DL} mg/dL over ${CASES} random inputs`, () => {
    const rng = createRng("he-correctness");
    let maxError = 0;
    for (let index = 0; index < CASES; index += 1) {
      const features = computeForecastFeatures(randomInput(rng));
      const result = evaluator.evaluate({ keyFingerprint, galoisKeys, ciphertext: client.encryptFeatures(features) });
      const error = Math.abs(client.decryptForecast(result) - predictGlucoseLinear(weights, features));
      maxError = Math.max(maxError, error);
    }
    console.log(`max |encrypted - plaintext| over ${CASES} inputs: ${maxError.toExponential(2)} mg/dL`);
    expect(maxError).toBeLessThan(MAX_ERROR_MG_DL);
  }, 300_000);

  it("decrypts with a secret key restored from the patient's storage", async () => {
    const features = computeForecastFeatures(randomInput(createRng("he-stored-key")));
    const restored = createHeClient({ seal: await loadSeal(), secretKey: client.exportSecretKey() });
    try {
      const result = evaluator.evaluate({ keyFingerprint, galoisKeys, ciphertext: client.encryptFeatures(features) });
      expect(Math.abs(restored.decryptForecast(result) - predictGlucoseLinear(weights, features))).toBeLessThan(MAX_ERROR_MG_DL);
    } finally {
      restored.delete();
    }
  });
});
