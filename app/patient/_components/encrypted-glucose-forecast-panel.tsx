"use client";

// The patient's encrypted 30-minute glucose forecast in the browser. node-seal (WebAssembly) runs here:
// the secret key is made and kept in this browser (IndexedDB), the server only ever sees ciphertexts.
import { useState } from "react";
import { FORECAST_HIGH_MG_DL, FORECAST_LOW_MG_DL, type TForecastFindingKind } from "@/lib/glucose-forecast/forecast-finding";
import { HeApiError, shareForecastFinding, type THeApi } from "@/lib/he/he-api-client";
import { readStoredHeKey, writeStoredHeKey } from "@/lib/he/indexed-db-key-store";
import { loadSeal } from "@/lib/he/load-seal";
import { runEncryptedForecast, type TEncryptedForecastResult } from "@/lib/he/run-encrypted-forecast";

type TSuccess = Extract<TEncryptedForecastResult, { ok: true }>;

const FINDING_TEXT: Record<TForecastFindingKind, string> = {
  predicted_low: `A low (below ${FORECAST_LOW_MG_DL} mg/dL) is forecast within 30 minutes.`,
  predicted_high: `A high (above ${FORECAST_HIGH_MG_DL} mg/dL) is forecast within 30 minutes.`,
};

function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
}

export function EncryptedGlucoseForecastPanel({ patientId, csrfToken }: { patientId: string; csrfToken: string }) {
  const [carbRatio, setCarbRatio] = useState("10");
  const [correctionFactor, setCorrectionFactor] = useState("50");
  const [carbsG, setCarbsG] = useState("");
  const [carbsMinutesAgo, setCarbsMinutesAgo] = useState("0");
  const [insulinU, setInsulinU] = useState("");
  const [insulinMinutesAgo, setInsulinMinutesAgo] = useState("0");
  const [status, setStatus] = useState<"idle" | "working" | "sharing">("idle");
  const [message, setMessage] = useState<string | null>(null);
  const [result, setResult] = useState<TSuccess | null>(null);

  const api: THeApi = { baseUrl: typeof window === "undefined" ? "http://localhost" : window.location.origin, patientId, headers: { "x-csrf-token": csrfToken } };

  async function handleForecast() {
    setStatus("working");
    setMessage(null);
    setResult(null);
    try {
      const outcome = await runEncryptedForecast({
        seal: await loadSeal(),
        api,
        storage: {
          read: (id) => readStoredHeKey(id),
          write: (record) => writeStoredHeKey(record),
        },
        events: {
          carbs: Number(carbsG) > 0 ? [{ grams: Number(carbsG), minutesAgo: Number(carbsMinutesAgo) || 0 }] : [],
          insulin: Number(insulinU) > 0 ? [{ units: Number(insulinU), minutesAgo: Number(insulinMinutesAgo) || 0 }] : [],
          exercise: [],
        },
        carbRatioGPerU: Number(carbRatio),
        correctionFactorMgDlPerU: Number(correctionFactor),
      });
      if (outcome.ok) setResult(outcome);
      else setMessage(`No forecast: ${outcome.reason}.`);
    } catch (error) {
      setMessage(error instanceof HeApiError ? `The server refused: ${error.message}` : "The forecast failed. Check the settings and your connection, then try again.");
    }
    setStatus("idle");
  }

  async function handleShare() {
    if (!result?.finding) return;
    setStatus("sharing");
    try {
      const shared = await shareForecastFinding(api, { finding: result.finding, horizonMin: 30, forecastAt: result.forecastAt, modelVersion: result.modelVersion });
      setMessage(shared.alertId ? "Shared with your care team: they see the finding, not your glucose values." : "Not shared: your alert settings switch this alert off.");
    } catch (error) {
      setMessage(error instanceof HeApiError && error.status === 404 ? "Sharing with your care team is not available yet." : "Sharing failed; try again.");
    }
    setStatus("idle");
  }

  return (
    <section className="card" aria-labelledby="glucose-forecast-heading">
      <h2 id="glucose-forecast-heading">Glucose forecast (encrypted)</h2>
      <p>
        Your browser encrypts your recent readings; PulseGuard computes the 30-minute forecast without being able to read them, and only this browser
        can decrypt the answer.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void handleForecast();
        }}
      >
        <label>
          Carb ratio (g/U) <input type="number" min={2} max={50} step="0.5" value={carbRatio} onChange={(event) => setCarbRatio(event.target.value)} required />
        </label>
        <label>
          Correction factor (mg/dL per U){" "}
          <input type="number" min={10} max={300} step="1" value={correctionFactor} onChange={(event) => setCorrectionFactor(event.target.value)} required />
        </label>
        <label>
          Carbs eaten (g) <input type="number" min={0} max={300} value={carbsG} onChange={(event) => setCarbsG(event.target.value)} />
        </label>
        <label>
          minutes ago <input type="number" min={0} max={240} value={carbsMinutesAgo} onChange={(event) => setCarbsMinutesAgo(event.target.value)} />
        </label>
        <label>
          Insulin taken (U) <input type="number" min={0} max={50} step="0.5" value={insulinU} onChange={(event) => setInsulinU(event.target.value)} />
        </label>
        <label>
          minutes ago <input type="number" min={0} max={240} value={insulinMinutesAgo} onChange={(event) => setInsulinMinutesAgo(event.target.value)} />
        </label>
        <button type="submit" className="button" disabled={status !== "idle"}>
          {status === "working" ? "Forecasting…" : "Forecast my glucose"}
        </button>
      </form>
      {result && (
        <div data-testid="encrypted-forecast-result">
          <p>
            <strong>{Math.round(result.forecastMgDl)} mg/dL</strong> forecast for {formatTime(result.forecastAt)} (latest reading {Math.round(result.latestMgDl)}{" "}
            mg/dL at {formatTime(result.latestAt)}).
          </p>
          {result.finding && (
            <p role="alert">
              {FINDING_TEXT[result.finding]}{" "}
              <button type="button" className="button button-secondary" onClick={() => void handleShare()} disabled={status !== "idle"}>
                Share this finding with my care team
              </button>
            </p>
          )}
        </div>
      )}
      <p role="status">{message}</p>
    </section>
  );
}
