"use client";

import { useId, useState, type FormEvent } from "react";
import { DEFAULT_ROUND_CONFIG, FEDERATED_MODEL_NAME } from "@/lib/fl/rounds/round-defaults";
import type { TRoundView } from "@/lib/fl/rounds/round-views";
import type { TRoundConfig } from "@/lib/fl/wire";
import { useAdminForm } from "./use-admin-form";

type TAdvancedKey = "threshold" | "localEpochs" | "noiseStdPerParticipant" | "clipNorm" | "serverMomentum" | "trainingTimeoutS" | "stageTimeoutS";

const ADVANCED_FIELDS: { key: TAdvancedKey; label: string; step: string; min: number; max: number; hint: string; isInteger: boolean }[] = [
  {
    key: "threshold",
    label: "Threshold (hospitals)",
    step: "1",
    min: 2,
    max: 256,
    hint: "How many hospitals must stay to the end. Empty: two thirds of the hospitals with a valid credential, at least 2.",
    isInteger: true,
  },
  { key: "localEpochs", label: "Local epochs", step: "1", min: 1, max: 20, hint: `Passes over each hospital's own data per round. Default ${DEFAULT_ROUND_CONFIG.localEpochs}.`, isInteger: true },
  {
    key: "noiseStdPerParticipant",
    label: "DP noise σ (× clip norm)",
    step: "0.01",
    min: 0,
    max: 10,
    hint: `Gaussian noise each hospital adds, as a multiple of the clip norm (${DEFAULT_ROUND_CONFIG.clipNorm}). 0 turns differential privacy off. Default ${DEFAULT_ROUND_CONFIG.noiseStdPerParticipant}.`,
    isInteger: false,
  },
  {
    key: "clipNorm",
    label: "Clip norm",
    step: "0.1",
    min: 0.1,
    max: 100,
    hint: `Largest L2 norm of one hospital's update (and the DP sensitivity; with DP noise on, about 1 to 2 keeps the model useful). Default ${DEFAULT_ROUND_CONFIG.clipNorm}.`,
    isInteger: false,
  },
  {
    key: "serverMomentum",
    label: "Server momentum",
    step: "0.05",
    min: 0,
    max: 0.99,
    hint: `FedAvgM: how much of the previous round's step the server carries into this one. 0 is plain FedAvg. Default ${DEFAULT_ROUND_CONFIG.serverMomentum}.`,
    isInteger: false,
  },
  {
    key: "trainingTimeoutS",
    label: "Training timeout (s)",
    step: "1",
    min: 5,
    max: 86_400,
    hint: `Seconds the hospitals have to train and advertise their keys. Default ${DEFAULT_ROUND_CONFIG.trainingTimeoutS} s.`,
    isInteger: true,
  },
  {
    key: "stageTimeoutS",
    label: "Stage timeout (s)",
    step: "1",
    min: 5,
    max: 86_400,
    hint: `Seconds each later stage waits for stragglers before dropping them. Default ${DEFAULT_ROUND_CONFIG.stageTimeoutS} s.`,
    isInteger: true,
  },
];

const initialValues = (): Record<TAdvancedKey, string> => ({
  threshold: "",
  localEpochs: String(DEFAULT_ROUND_CONFIG.localEpochs),
  noiseStdPerParticipant: String(DEFAULT_ROUND_CONFIG.noiseStdPerParticipant),
  clipNorm: String(DEFAULT_ROUND_CONFIG.clipNorm),
  serverMomentum: String(DEFAULT_ROUND_CONFIG.serverMomentum),
  trainingTimeoutS: String(DEFAULT_ROUND_CONFIG.trainingTimeoutS),
  stageTimeoutS: String(DEFAULT_ROUND_CONFIG.stageTimeoutS),
});

export function StartRoundForm({ csrfToken, isRoundRunning, onStarted }: { csrfToken: string; isRoundRunning: boolean; onStarted: (round: TRoundView) => void }) {
  const id = useId();
  const [values, setValues] = useState(initialValues);
  const { isBusy, error, fields, submit } = useAdminForm(csrfToken);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    // Empty fields are left out, so the server's defaults apply; anything typed is checked there.
    const config: Partial<Record<keyof TRoundConfig, number>> = {};
    for (const field of ADVANCED_FIELDS) {
      const text = values[field.key].trim();
      if (text !== "") config[field.key] = Number(text);
    }
    const started = await submit<{ round: TRoundView }>("/api/fl/rounds", { modelName: FEDERATED_MODEL_NAME, config });
    if (started) onStarted(started.round);
  }

  return (
    <form onSubmit={handleSubmit} aria-labelledby={`${id}-heading`} noValidate className="start-round">
      <h3 id={`${id}-heading`}>Start a round</h3>
      <p className="hint">
        Every hospital with a valid participant credential is invited. The model is <code>{FEDERATED_MODEL_NAME}</code> (the ECG rhythm classifier); the round
        starts from its active version.
      </p>
      <details>
        <summary>Advanced settings</summary>
        <div className="settings-grid">
          {ADVANCED_FIELDS.map((field) => {
            const fieldError = fields[`config.${field.key}`];
            return (
              <div className="field" key={field.key}>
                <label htmlFor={`${id}-${field.key}`}>{field.label}</label>
                <input
                  id={`${id}-${field.key}`}
                  name={field.key}
                  type="number"
                  inputMode={field.isInteger ? "numeric" : "decimal"}
                  step={field.step}
                  min={field.min}
                  max={field.max}
                  value={values[field.key]}
                  onChange={(event) => setValues((current) => ({ ...current, [field.key]: event.target.value }))}
                  aria-invalid={fieldError ? true : undefined}
                  aria-describedby={`${id}-${field.key}-hint${fieldError ? ` ${id}-${field.key}-error` : ""}`}
                />
                <p id={`${id}-${field.key}-hint`} className="hint field-hint">
                  {field.hint}
                </p>
                {fieldError && (
                  <p id={`${id}-${field.key}-error`} className="field-error">
                    {field.label}: {fieldError}
                  </p>
                )}
              </div>
            );
          })}
        </div>
      </details>
      <p>
        <button type="submit" className="button" disabled={isBusy}>
          {isBusy ? "Starting…" : "Start round"}
        </button>{" "}
        {isRoundRunning && <span className="hint">A round is already running (see its progress below).</span>}
      </p>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
    </form>
  );
}
