// What hospital admins see of a federated round (admin page, GET /api/fl/rounds/*, socket "fl:round").
// Ids, stages and aggregate figures only: no update, no key, no share ever leaves lib/fl in a view.
import type { TParticipantStatus, TRoundConfig, TRoundStage } from "../wire";

export type TRoundParticipantView = {
  hospitalId: string;
  hospitalName: string;
  status: TParticipantStatus;
  /** Why the server stopped waiting for this hospital (timeout, refused message), when it did. */
  dropReason: string | null;
  updatedAt: string;
};

export type TRoundMetrics = {
  /** The locally trained models on each hospital's own validation split, summed inside the secure aggregate. */
  validation: { strips: number; accuracy: number; macroF1: number } | null;
  /** Differential privacy spent so far for this model's lineage (zCDP converted to (epsilon, delta)). */
  privacy: { noiseMultiplier: number; epsilon: number; delta: number; rounds: number } | null;
  survivors: number | null;
  dropped: number | null;
  /** Bytes the server received in this round (keys, shares, masked vectors, unmasking shares). */
  bytesReceived: number | null;
  durationS: number | null;
};

export type TRoundView = {
  id: string;
  modelName: string;
  stage: TRoundStage;
  config: TRoundConfig;
  threshold: number;
  rosterSize: number | null;
  startedAt: string;
  finishedAt: string | null;
  stageDeadlineAt: string;
  failureReason: string | null;
  baseVersion: { id: string; version: number };
  resultVersion: { id: string; version: number; status: "CANDIDATE" | "ACTIVE" | "RETIRED" } | null;
  metrics: TRoundMetrics;
  participants: TRoundParticipantView[];
};
