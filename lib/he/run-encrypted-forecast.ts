// The client's whole forecast, shared by the browser panel: keys (create, store, register once), recent
// readings, features, encryption, the server's evaluation, decryption, the finding. Storage is injected
// (IndexedDB in the browser), so the same steps run anywhere.
import { alignReadingsToGrid } from "../glucose-forecast/align-readings";
import { clampGlucoseMgDl, computeForecastFeatures, FORECAST_HORIZON_MIN, type TForecastInput } from "../glucose-forecast/features";
import { getForecastFinding, type TForecastFindingKind } from "../glucose-forecast/forecast-finding";
import { createHeClient } from "./create-he-client";
import { getActiveKeySet, getRecentReadings, registerKeySet, requestEncryptedForecast, type THeApi } from "./he-api-client";
import type { TSeal } from "./load-seal";
import { HE_PARAMS } from "./params";

export type THeKeyStorage = {
  read(patientId: string): Promise<{ secretKey: Uint8Array; keyFingerprint: string | null; createdAt: string } | null>;
  write(record: { patientId: string; paramsId: string; secretKey: Uint8Array; keyFingerprint: string | null; createdAt: string }): Promise<void>;
};

export type TEncryptedForecastResult =
  | { ok: true; forecastMgDl: number; forecastAt: string; latestMgDl: number; latestAt: string; finding: TForecastFindingKind | null; modelVersion: string; uploadBytes: number; registeredKeyBytes: number | null }
  | { ok: false; reason: string };

export async function runEncryptedForecast(options: {
  seal: TSeal;
  api: THeApi;
  storage: THeKeyStorage;
  events: Pick<TForecastInput, "carbs" | "insulin" | "exercise">;
  carbRatioGPerU: number;
  correctionFactorMgDlPerU: number;
  nowMs?: number;
}): Promise<TEncryptedForecastResult> {
  const { api, storage } = options;
  const stored = await storage.read(api.patientId);
  const client = createHeClient({ seal: options.seal, secretKey: stored?.secretKey });
  try {
    let record = stored ?? { secretKey: client.exportSecretKey(), keyFingerprint: null, createdAt: new Date().toISOString() };
    if (!stored) await storage.write({ patientId: api.patientId, paramsId: HE_PARAMS.id, ...record });
    let registeredKeyBytes: number | null = null;
    const active = await getActiveKeySet(api);
    if (!active.keySet || active.keySet.fingerprint !== record.keyFingerprint) {
      const galoisKeys = client.createEvaluationKeys();
      const registered = await registerKeySet(api, galoisKeys);
      registeredKeyBytes = galoisKeys.byteLength;
      record = { ...record, keyFingerprint: registered.fingerprint };
      await storage.write({ patientId: api.patientId, paramsId: HE_PARAMS.id, ...record });
    }
    const aligned = alignReadingsToGrid({ readings: await getRecentReadings(api), nowMs: options.nowMs ?? Date.now() });
    if ("error" in aligned) return { ok: false, reason: aligned.error };
    const features = computeForecastFeatures({
      readingsMgDl: aligned.readingsMgDl,
      ...options.events,
      carbRatioGPerU: options.carbRatioGPerU,
      correctionFactorMgDlPerU: options.correctionFactorMgDlPerU,
    });
    const ciphertext = client.encryptFeatures(features);
    const uploadBytes = ciphertext.byteLength;
    const result = await requestEncryptedForecast(api, { ciphertext, keyFingerprint: record.keyFingerprint as string });
    const forecastMgDl = clampGlucoseMgDl(client.decryptForecast(result.ciphertext));
    return {
      ok: true,
      forecastMgDl,
      forecastAt: new Date(Date.parse(aligned.latestAt) + FORECAST_HORIZON_MIN * 60_000).toISOString(),
      latestMgDl: aligned.readingsMgDl[0] as number,
      latestAt: aligned.latestAt,
      finding: getForecastFinding(forecastMgDl),
      modelVersion: result.modelVersion,
      uploadBytes,
      registeredKeyBytes,
    };
  } finally {
    client.delete();
  }
}
