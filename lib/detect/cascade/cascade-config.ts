import { z } from "zod";

// Defaults of the escalation and confirmation policy. The escalation score comes from the trained
// screen's manifest (thresholds.escalate), so a retrained model brings its own operating point.
export const ZCascadeConfigSchema = z.strictObject({
  /** Tier-1 score at or above which a window counts as a hit. */
  escalateScore: z.number().min(0).max(1).default(0.5),
  /**
   * Hits needed before asking for a strip, counted by a leaky counter (+1 per hit, -1 per quiet
   * second): 5 s of sustained suspicion, so one odd reading or a 2-8 s glitch does not cost a strip.
   */
  persistenceHits: z.number().int().min(1).max(600).default(5),
  /** A strip recorded on request: single lead, 30 s (DESIGN.md). */
  stripDurationMs: z.number().int().positive().default(30_000),
  /** No answer by then (strip time + upload) and the event becomes an unconfirmed alert. */
  responseTimeoutMs: z.number().int().positive().default(60_000),
  /** Tier 2's probability for an abnormal rhythm at or above which it confirms. */
  confirmProbability: z.number().min(0).max(1).default(0.6),
  /** Its probability for normal sinus rhythm at or above which it refutes. */
  refuteProbability: z.number().min(0).max(1).default(0.6),
  /**
   * A tachycardia or bradycardia strip confirms only with the screen's support from the hit to the
   * answer (judge-ecg-result.ts says why): its mean probability of the same condition at least
   * rateAgreementScore, or its mean suspicion at least rateSuspicionScore. 0.9: on a tuning cohort
   * (seed tune-cascade-v1, scripts/eval-cascade.ts --debug) no rate-only strip outside an episode came
   * with a screen that sure, while nearly all within episodes did.
   */
  rateAgreementScore: z.number().min(0).max(1).default(0.5),
  rateSuspicionScore: z.number().min(0).max(1).default(0.9),
  /** A noisy or undecided strip is asked for again this many times before falling back to tier 1. */
  maxRetries: z.number().int().min(0).max(5).default(1),
  /**
   * After a refuted hit, no new strip for this long, doubling with each further refutation in a row
   * up to maxRefuteCooldownMs: a real episode that tier 2 misread once (a strip with a single PVC) is
   * looked at again within about a minute, while a benign state the screen keeps flagging (a low
   * sleeping rate) costs fewer strips. Capped at 4 min so that a streak of refuted benign hits cannot
   * hide the start of a real episode for long. The streak ends after refuteStreakResetMs without a refute.
   */
  refuteCooldownMs: z.number().int().min(0).default(60_000),
  maxRefuteCooldownMs: z.number().int().min(0).default(240_000),
  refuteStreakResetMs: z.number().int().min(0).default(1_800_000),
  /**
   * After an alert, hits that suspect the same condition ask for no new strip: one episode, one alert
   * (DESIGN.md: repeated hits fold into the open alert instead of storming). Hits suspecting another
   * condition still escalate, so an open alert cannot hide a different event that follows it.
   */
  alertCooldownMs: z.number().int().min(0).default(600_000),
  /**
   * A new alert of the same condition within this long of the previous one folds into it (the alert
   * module bumps its hit count) instead of opening another: 20 min, twice the alert cooldown.
   */
  foldWindowMs: z.number().int().min(0).default(1_200_000),
  /** An unconfirmed alert reports the tier-1 score scaled by this: screen evidence alone is weaker. */
  unconfirmedConfidenceFactor: z.number().min(0).max(1).default(0.6),
});
export type TCascadeConfig = z.infer<typeof ZCascadeConfigSchema>;
export type TCascadeConfigInput = z.input<typeof ZCascadeConfigSchema>;
