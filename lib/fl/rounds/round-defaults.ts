import type { TRoundConfig } from "../wire";

/** The model hospitals train together: the tier-2 ECG classifier (lib/detect/ecg). */
export const FEDERATED_MODEL_NAME = "ecg-cnn";

/**
 * Defaults for a round of the ECG model, the settings `npm run eval:federated` measured on five non-IID
 * sites: one local epoch between averagings keeps the sites from drifting apart; server momentum 0.5
 * reached 0.997 of centralized macro-F1 where plain FedAvg reached 0.988. clipNorm bounds one hospital's
 * update (and is the DP sensitivity; with DP on, about 1-2 keeps the model useful). sampleCap 400 strips
 * (a typical site) earns full weight, so one large hospital cannot outvote the rest.
 */
export const DEFAULT_ROUND_CONFIG: Omit<TRoundConfig, "threshold"> = {
  clipNorm: 10,
  sampleCap: 400,
  noiseStdPerParticipant: 0,
  localEpochs: 1,
  serverMomentum: 0.5,
  learningRate: 0.003,
  batchSize: 16,
  trainingTimeoutS: 900,
  stageTimeoutS: 120,
};

/** Shamir threshold when none is given: two thirds of the seats (at least 2), so a third may drop out. */
export const getDefaultThreshold = (seats: number) => Math.max(2, Math.ceil((2 * seats) / 3));
