"use client";

import { useEffect, useState } from "react";
import type { TRoundView } from "@/lib/fl/rounds/round-views";
import { Timestamp } from "../../_components/timestamp";
import { formatDurationS, isRoundFinished, PARTICIPANT_STATUS_LABELS, STAGE_LABELS, WORKING_STAGES } from "./round-labels";

type TStepState = "complete" | "current" | "upcoming" | "failed" | "not-reached";

const STEP_SYMBOLS: Record<TStepState, string> = { complete: "✓", current: "▶", upcoming: "○", failed: "✗", "not-reached": "–" };
const STEP_TEXT: Record<TStepState, string> = { complete: "complete", current: "in progress", upcoming: "not started", failed: "failed", "not-reached": "not completed" };

function stepsOf(round: TRoundView): { key: string; label: string; state: TStepState }[] {
  const currentIndex = WORKING_STAGES.indexOf(round.stage as (typeof WORKING_STAGES)[number]);
  const working = WORKING_STAGES.map((stage, index) => {
    let state: TStepState;
    if (round.stage === "DONE") state = "complete";
    // A failed round does not say which stage it failed in; the failure reason does.
    else if (round.stage === "FAILED") state = "not-reached";
    else state = index < currentIndex ? "complete" : index === currentIndex ? "current" : "upcoming";
    return { key: stage, label: STAGE_LABELS[stage], state };
  });
  const last: TStepState = round.stage === "DONE" ? "complete" : round.stage === "FAILED" ? "failed" : "upcoming";
  return [...working, { key: "END", label: round.stage === "FAILED" ? STAGE_LABELS.FAILED : STAGE_LABELS.DONE, state: last }];
}

/** Seconds to the stage deadline, ticking once a second while the round runs. */
function useSecondsUntil(isoDeadline: string | null): number | null {
  const [nowMs, setNowMs] = useState<number | null>(null);
  useEffect(() => {
    if (!isoDeadline) return;
    setNowMs(Date.now());
    const timer = setInterval(() => setNowMs(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [isoDeadline]);
  if (!isoDeadline || nowMs === null) return null;
  return (Date.parse(isoDeadline) - nowMs) / 1000;
}

/** Stops the running round after a confirmation; the server fails it and publishes nothing. */
function CancelRoundButton({ roundId, onCancel }: { roundId: string; onCancel: (roundId: string) => Promise<string | null> }) {
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  return (
    <p>
      <button
        type="button"
        className="button button-small button-secondary"
        disabled={isBusy}
        onClick={async () => {
          if (!window.confirm("Cancel this round? It fails, publishes no model, and a new round can start.")) return;
          setBusy(true);
          setError(await onCancel(roundId));
          setBusy(false);
        }}
      >
        Cancel round
      </button>
      {error && (
        <span className="form-error" role="alert">
          {" "}
          {error}
        </span>
      )}
    </p>
  );
}

export function RoundProgress({ round, timeZone, onCancel }: { round: TRoundView | null; timeZone: string; onCancel: (roundId: string) => Promise<string | null> }) {
  const isRunning = round !== null && !isRoundFinished(round.stage);
  const secondsLeft = useSecondsUntil(isRunning ? round.stageDeadlineAt : null);
  return (
    <section aria-labelledby="fl-progress-heading" className="round-progress" data-testid="round-progress" data-round-id={round?.id} data-stage={round?.stage}>
      <h3 id="fl-progress-heading">{isRunning ? "Current round" : "Latest round"}</h3>
      {!round ? (
        <p>No round has been started yet.</p>
      ) : (
        <>
          <p>
            <code>{round.modelName}</code> from version {round.baseVersion.version}, started <Timestamp value={new Date(round.startedAt)} timeZone={timeZone} />.
            Threshold {round.threshold} of {round.rosterSize ?? round.participants.length} hospitals.{" "}
            <span data-testid="round-stage">Stage: {STAGE_LABELS[round.stage]}</span>
          </p>
          <ol className="stepper" aria-label="Round stages">
            {stepsOf(round).map((step) => (
              <li key={step.key} data-state={step.state} aria-current={step.state === "current" ? "step" : undefined}>
                <span aria-hidden="true" className="stepper-symbol">
                  {STEP_SYMBOLS[step.state]}
                </span>{" "}
                {step.label}
                <span className="visually-hidden"> ({STEP_TEXT[step.state]})</span>
              </li>
            ))}
          </ol>
          {isRunning && (
            <p data-testid="round-deadline">
              {secondsLeft === null ? (
                <>
                  This stage closes at <Timestamp value={new Date(round.stageDeadlineAt)} timeZone={timeZone} />.
                </>
              ) : secondsLeft > 0 ? (
                <>
                  This stage closes in <strong>{formatDurationS(secondsLeft)}</strong> (at <Timestamp value={new Date(round.stageDeadlineAt)} timeZone={timeZone} />
                  ); hospitals that have not answered by then are dropped.
                </>
              ) : (
                <>
                  The stage deadline (<Timestamp value={new Date(round.stageDeadlineAt)} timeZone={timeZone} />) has passed; the server closes the stage on its next
                  check.
                </>
              )}
            </p>
          )}
          {isRunning && <CancelRoundButton roundId={round.id} onCancel={onCancel} />}
          {round.stage === "FAILED" && round.failureReason && (
            <p className="form-error" data-testid="round-failure">
              Round failed: {round.failureReason}
            </p>
          )}
          {round.stage === "DONE" && round.resultVersion && (
            <p>
              Produced {round.modelName} version {round.resultVersion.version} ({round.resultVersion.status.toLowerCase()}); see the history below.
            </p>
          )}
          {round.participants.length === 0 ? (
            <p>No hospital was selected for this round.</p>
          ) : (
            <table className="data-table stack-on-phone labelled-cells" aria-label="Hospitals in this round" data-testid="round-participants">
              <thead>
                <tr>
                  <th scope="col">Hospital</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last change</th>
                </tr>
              </thead>
              <tbody>
                {round.participants.map((participant) => {
                  const status = PARTICIPANT_STATUS_LABELS[participant.status];
                  return (
                    <tr key={participant.hospitalId} data-hospital-id={participant.hospitalId}>
                      <th scope="row">{participant.hospitalName}</th>
                      <td data-testid="participant-status" data-status={participant.status} data-label="Status">
                        <span aria-hidden="true">{status.symbol} </span>
                        {status.text}
                        {participant.dropReason && <span className="hint block">Reason: {participant.dropReason}</span>}
                      </td>
                      <td className="nowrap-time" data-label="Last change">
                        <Timestamp value={new Date(participant.updatedAt)} timeZone={timeZone} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
