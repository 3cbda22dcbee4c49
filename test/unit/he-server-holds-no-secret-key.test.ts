// The server's HE code path holds no secret key: checked on the objects, not by reading the source. The
// server-side handler gets an instrumented SEAL library that records every SEAL constructor it uses and
// refuses the ones that make or use a secret key (KeyGenerator creates one; SecretKey, Encryptor and
// Decryptor hold one). Then it registers keys, evaluates forecasts, rejects bad input and replaces its
// SEAL instance, and must never have touched them.
import { describe, expect, it } from "vitest";
import { computeForecastFeatures, HISTORY_READINGS } from "@/lib/glucose-forecast/features";
import { predictGlucoseLinear } from "@/lib/glucose-forecast/linear-model";
import { loadForecastWeights } from "@/lib/glucose-forecast/model-files";
import { createHeClient } from "@/lib/he/create-he-client";
import { fingerprintKeySet } from "@/lib/he/fingerprint-key-set";
import { createHeEvalHandler } from "@/lib/he/handle-he-eval-request";
import { createSealInstance, loadSeal, type TSeal } from "@/lib/he/load-seal";
import { HE_PARAMS } from "@/lib/he/params";

const SECRET_KEY_HOLDERS = new Set(["KeyGenerator", "SecretKey", "Encryptor", "Decryptor"]);

function instrument(seal: TSeal, used: Set<string>, refused: string[]): TSeal {
  return new Proxy(seal, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== "string") return value;
      if (SECRET_KEY_HOLDERS.has(property)) {
        return () => {
          refused.push(property);
          throw new Error(`server code asked for ${property}`);
        };
      }
      if (typeof value === "function") used.add(property);
      return value;
    },
  });
}

describe("server HE path", () => {
  it("never creates, loads or uses a secret key", async () => {
    const used = new Set<string>();
    const refused: string[] = [];
    const { weights } = loadForecastWeights();
    const handler = createHeEvalHandler({ createSeal: async () => instrument(await createSealInstance(), used, refused), weights });
    const client = createHeClient({ seal: await loadSeal() });
    try {
      const galoisKeys = client.createEvaluationKeys();
      const keyFingerprint = await fingerprintKeySet({ paramsId: HE_PARAMS.id, galoisKeys });
      expect(await handler.handle({ type: "check-keys", galoisKeys })).toEqual({ type: "keys-ok", keyCount: HE_PARAMS.rotationSteps.length });
      const features = computeForecastFeatures({ readingsMgDl: Array.from({ length: HISTORY_READINGS }, (_, index) => 180 - 2 * index), carbRatioGPerU: 12, correctionFactorMgDlPerU: 60 });
      for (let index = 0; index < 5; index += 1) {
        const result = await handler.handle({ type: "forecast", keyFingerprint, galoisKeys, ciphertext: client.encryptFeatures(features) });
        if (result.type !== "forecast") throw new Error("expected a forecast");
        expect(Math.abs(client.decryptForecast(result.ciphertext) - predictGlucoseLinear(weights, features))).toBeLessThan(0.01);
      }
      // A client's secret key uploaded as "keys" or as a ciphertext is refused, and loading it never
      // builds a SecretKey object on the server.
      const secretKey = client.exportSecretKey();
      await expect(handler.handle({ type: "check-keys", galoisKeys: secretKey })).rejects.toMatchObject({ name: "AppError" });
      await expect(handler.handle({ type: "forecast", keyFingerprint: "0".repeat(64), galoisKeys: secretKey, ciphertext: secretKey })).rejects.toMatchObject({ name: "AppError" });
      // The refusals replaced the SEAL instance; the new one is instrumented the same way and still works.
      expect(handler.instancesCreated()).toBeGreaterThan(1);
      const after = await handler.handle({ type: "forecast", keyFingerprint, galoisKeys, ciphertext: client.encryptFeatures(features) });
      expect(after.type).toBe("forecast");

      expect(refused).toEqual([]);
      for (const name of SECRET_KEY_HOLDERS) expect(used.has(name)).toBe(false);
      expect([...used].sort()).toEqual(expect.arrayContaining(["CipherText", "Context", "Evaluator", "GaloisKeys", "CKKSEncoder"]));
    } finally {
      client.delete();
      await handler.close();
    }
  }, 120_000);
});
