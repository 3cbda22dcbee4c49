"use client";

import { useState } from "react";
import type { TRoundView } from "@/lib/fl/rounds/round-views";
import { Timestamp } from "../../_components/timestamp";
import { formatBytes, formatDurationS, STAGE_LABELS } from "./round-labels";

const dash = (
  <>
    <span aria-hidden="true">—</span>
    <span className="visually-hidden">not available</span>
  </>
);

export function RoundHistory({ rounds, timeZone, onActivate }: { rounds: TRoundView[]; timeZone: string; onActivate: (versionId: string) => Promise<string | null> }) {
  return (
    <section aria-labelledby="fl-history-heading">
      <h3 id="fl-history-heading">Round history</h3>
      {rounds.length === 0 ? (
        <p>No rounds yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table stack-on-phone labelled-cells" aria-labelledby="fl-history-heading" data-testid="round-history">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Stage</th>
                <th scope="col" className="numeric">
                  Survived / dropped
                </th>
                <th scope="col" className="numeric">
                  Validation macro-F1
                </th>
                <th scope="col" className="numeric">
                  Privacy (ε, δ)
                </th>
                <th scope="col" className="numeric">
                  Received
                </th>
                <th scope="col">Resulting model</th>
              </tr>
            </thead>
            <tbody>
              {rounds.map((round) => (
                <HistoryRow key={round.id} round={round} timeZone={timeZone} onActivate={onActivate} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function HistoryRow({ round, timeZone, onActivate }: { round: TRoundView; timeZone: string; onActivate: (versionId: string) => Promise<string | null> }) {
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { metrics } = round;

  async function activate(versionId: string) {
    setIsBusy(true);
    setError(null);
    setError(await onActivate(versionId));
    setIsBusy(false);
  }

  return (
    <tr data-round-id={round.id}>
      <th scope="row" className="nowrap-time">
        <Timestamp value={new Date(round.startedAt)} timeZone={timeZone} />
        {metrics.durationS !== null && <span className="hint block">took {formatDurationS(metrics.durationS)}</span>}
      </th>
      <td data-testid="history-stage" data-label="Stage">
        {STAGE_LABELS[round.stage]}
        {round.stage === "FAILED" && round.failureReason && <span className="hint block">Reason: {round.failureReason}</span>}
      </td>
      <td className="numeric" data-label="Survived / dropped">{metrics.survivors !== null || metrics.dropped !== null ? `${metrics.survivors ?? 0} / ${metrics.dropped ?? 0}` : dash}</td>
      <td className="numeric" data-label="Validation macro-F1">
        {metrics.validation ? (
          <>
            {metrics.validation.macroF1.toFixed(3)}
            <span className="hint block">
              accuracy {metrics.validation.accuracy.toFixed(3)}, {metrics.validation.strips.toLocaleString("en-US")} strips
            </span>
          </>
        ) : (
          dash
        )}
      </td>
      <td className="numeric" data-label="Privacy">
        {metrics.privacy && metrics.privacy.noiseMultiplier > 0 ? (
          <>
            ε {metrics.privacy.epsilon.toFixed(2)}, δ {metrics.privacy.delta.toExponential(0)}
            <span className="hint block">
              σ {metrics.privacy.noiseMultiplier}, over {metrics.privacy.rounds} {metrics.privacy.rounds === 1 ? "round" : "rounds"}
            </span>
          </>
        ) : (
          <span>No DP</span>
        )}
      </td>
      <td className="numeric" data-label="Received">{metrics.bytesReceived !== null ? formatBytes(metrics.bytesReceived) : dash}</td>
      <td data-label="Resulting model">
        {round.resultVersion ? (
          <>
            {round.modelName} v{round.resultVersion.version} <span className="hint">({round.resultVersion.status.toLowerCase()})</span>
            {round.resultVersion.status === "CANDIDATE" && (
              <>
                {" "}
                <button
                  type="button"
                  className="button button-small button-quiet"
                  disabled={isBusy}
                  onClick={() => activate(round.resultVersion!.id)}
                  aria-label={`Activate ${round.modelName} version ${round.resultVersion.version}`}
                >
                  {isBusy ? "Activating…" : "Activate"}
                </button>
              </>
            )}
            {error && (
              <p role="alert" className="field-error">
                {error}
              </p>
            )}
          </>
        ) : (
          dash
        )}
      </td>
    </tr>
  );
}
