// One hospital's side of one round, over HTTP: fetch the global weights, compute the local update (the
// caller trains), then the four secure-aggregation steps, each when the server has moved the round to
// its stage. The update leaves this process only masked; the round keys and the self-mask seed never
// leave it except as Shamir shares encrypted to peers.
import { createSecAggParticipant, type TEncryptedShare } from "../secagg";
import { encodeAdvertiseBody, encodeShareKeysBody, encodeUnmaskBody, toRoster, toUnmaskRequest, type TParticipantRoundView, type TRoundStage } from "../wire";
import type { TParticipantClient } from "./create-participant-client";

export type TComputeUpdate = (input: { view: TParticipantRoundView; globalWeights: Float32Array }) => Promise<Uint32Array>;

export type TParticipantRoundOutcome = { roundId: string; stage: TRoundStage; status: string; steps: string[] };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runParticipantRound(options: {
  client: TParticipantClient;
  roundId: string;
  computeUpdate: TComputeUpdate;
  pollMs?: number;
  onStep?: (step: string, view: TParticipantRoundView) => void;
  /** Go silent after this step (to show a dropout on purpose: demos, tests, the evaluation). */
  stopAfter?: "weights" | "keys" | "shares" | "masked";
}): Promise<TParticipantRoundOutcome> {
  const { client, roundId } = options;
  const pollMs = options.pollMs ?? 1000;
  const steps: string[] = [];
  const step = (name: string, view: TParticipantRoundView) => {
    steps.push(name);
    options.onStep?.(name, view);
  };
  const finished = (view: TParticipantRoundView) => view.round.stage === "DONE" || view.round.stage === "FAILED" || view.you.status === "DROPPED";
  const outcome = (view: TParticipantRoundView): TParticipantRoundOutcome => ({ roundId, stage: view.round.stage, status: view.you.status, steps });

  /** Polls until the round reaches `stage` (or ends, or drops this hospital). */
  async function waitFor(stage: TRoundStage): Promise<TParticipantRoundView> {
    for (;;) {
      const view = await client.getView(roundId);
      if (view.round.stage === stage || finished(view)) return view;
      await sleep(pollMs);
    }
  }

  let view = await client.getView(roundId);
  if (view.round.stage !== "ADVERTISING" || view.you.status !== "SELECTED") return outcome(view);
  const globalWeights = await client.getWeights(roundId, { sha256: view.round.baseVersion.sha256, parameterCount: view.round.parameterCount });
  step("weights", view);
  if (options.stopAfter === "weights") return outcome(view);
  const input = await options.computeUpdate({ view, globalWeights });
  if (input.length !== view.round.vectorLength) throw new Error(`the update has ${input.length} values; the round expects ${view.round.vectorLength}`);
  step("trained", view);

  const participant = createSecAggParticipant({ roundId, participantId: view.you.participantId, input });
  await client.postJson(roundId, "keys", encodeAdvertiseBody(participant.advertise()));
  step("keys", view);
  if (options.stopAfter === "keys") return outcome(view);

  view = await waitFor("SHARING");
  if (finished(view) || !view.roster) return outcome(view);
  await client.postJson(roundId, "shares", encodeShareKeysBody(participant.shareKeys(toRoster(roundId, view.roster)).shares));
  step("shares", view);
  if (options.stopAfter === "shares") return outcome(view);

  view = await waitFor("MASKING");
  if (finished(view) || !view.shares) return outcome(view);
  const received: TEncryptedShare[] = view.shares;
  await client.postMasked(roundId, participant.maskInput(received).masked);
  step("masked", view);
  if (options.stopAfter === "masked") return outcome(view);

  view = await waitFor("UNMASKING");
  if (finished(view) || !view.unmaskRequest) return outcome(view);
  await client.postJson(roundId, "unmask", encodeUnmaskBody(participant.unmask(toUnmaskRequest(roundId, view.unmaskRequest))));
  step("unmask", view);

  for (;;) {
    view = await client.getView(roundId);
    if (finished(view)) return outcome(view);
    await sleep(pollMs);
  }
}
