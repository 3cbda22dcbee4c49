// The P, Q, R, S and T events of the ECGSYN dynamical model (McSharry, Clifford, Tarassenko, Smith,
// "A dynamical model for generating synthetic electrocardiogram signals", IEEE TBME 50(3) 2003).
// Each event is a Gaussian in the phase angle of the limit cycle: centre theta (rad, R peak at 0),
// weight a and width b (rad). Its contribution to the ECG is roughly a * b^2 / omega * exp(-dtheta^2 / 2b^2),
// so "a" is large for the narrow QRS events.
import type { TRng } from "./rng";

export type TBeatKind = "N" | "V";

export type TWave = "P" | "QRS" | "T";

export type TWaveEvent = { wave: TWave; thetaRad: number; weight: number; widthRad: number };

type TTableEvent = TWaveEvent & { thetaRateExponent: number };

// Table 1 of McSharry et al. 2003 (P, Q, R, S, T). thetaRateExponent: see applyRate.
const P_WAVE: TTableEvent = { wave: "P", thetaRad: -Math.PI / 3, weight: 1.2, widthRad: 0.25, thetaRateExponent: 0.25 };
const NORMAL_QRST: readonly TTableEvent[] = [
  { wave: "QRS", thetaRad: -Math.PI / 12, weight: -5.0, widthRad: 0.1, thetaRateExponent: 0.5 },
  { wave: "QRS", thetaRad: 0, weight: 30.0, widthRad: 0.1, thetaRateExponent: 0 },
  { wave: "QRS", thetaRad: Math.PI / 12, weight: -7.5, widthRad: 0.1, thetaRateExponent: 0.5 },
  { wave: "T", thetaRad: Math.PI / 2, weight: 0.75, widthRad: 0.4, thetaRateExponent: 0.25 },
];

// A premature ventricular beat is not in ECGSYN; it is built here in the same units. No P wave (the
// beat starts in the ventricle); one broad main deflection (width 0.25 rad: time SD ~40 ms at 60 bpm and
// ~31 ms at 100 bpm, so the QRS lasts ~125-160 ms against the normal ~80-100 ms; QRS >= 120 ms is the
// usual criterion for a ventricular origin); a smaller late deflection of opposite sign; and a broad T
// wave discordant to the QRS, the secondary repolarisation change of abnormal depolarisation. Weights
// give peaks (a * b^2) of 0.45, -0.1 and -0.16 against the normal R's 0.3, T's 0.12. Signs are flipped
// for an inverted PVC (a focus whose activation runs away from this lead).
const ECTOPIC_QRST: readonly TTableEvent[] = [
  { wave: "QRS", thetaRad: 0, weight: 7.2, widthRad: 0.25, thetaRateExponent: 0 },
  { wave: "QRS", thetaRad: 0.42, weight: -3.9, widthRad: 0.16, thetaRateExponent: 0.5 },
  { wave: "T", thetaRad: Math.PI / 2 + 0.35, weight: -0.64, widthRad: 0.5, thetaRateExponent: 0.25 },
];

/** Per-patient variation of the beat shape, drawn once per strip. */
export type TMorphology = {
  pScale: number;
  qrsScale: number;
  tScale: number;
  ectopicPolarity: 1 | -1;
};

export function drawMorphology(rng: TRng): TMorphology {
  return {
    pScale: rng.uniform(0.75, 1.25),
    qrsScale: rng.uniform(0.85, 1.15),
    tScale: rng.uniform(0.75, 1.25),
    ectopicPolarity: rng.chance(0.6) ? 1 : -1,
  };
}

/**
 * Rate adaptation from the reference implementation ecgsyn.m (PhysioNet): with f = sqrt(hr/60) every
 * width is multiplied by f, the Q and S angles by f and the P and T angles by sqrt(f). With omega
 * proportional to hr this keeps amplitudes rate-independent and shortens the QRS and QT less than the
 * RR interval, as in real hearts.
 */
function applyRate(event: TTableEvent, heartRateBpm: number, weightScale: number): TWaveEvent {
  const ratio = heartRateBpm / 60;
  return {
    wave: event.wave,
    thetaRad: event.thetaRad * ratio ** event.thetaRateExponent,
    weight: event.weight * weightScale,
    widthRad: event.widthRad * Math.sqrt(ratio),
  };
}

export function buildBeatEvents(options: {
  kind: TBeatKind;
  hasP: boolean;
  heartRateBpm: number;
  morphology: TMorphology;
  /** Beat-to-beat amplitude factor near 1. */
  jitter: number;
}): TWaveEvent[] {
  const { kind, hasP, heartRateBpm, morphology, jitter } = options;
  if (kind === "V") {
    return ECTOPIC_QRST.map((event) => applyRate(event, heartRateBpm, morphology.ectopicPolarity * jitter));
  }
  const events: TWaveEvent[] = [];
  if (hasP) events.push(applyRate(P_WAVE, heartRateBpm, morphology.pScale * jitter));
  const [q, r, s, t] = NORMAL_QRST as [TTableEvent, TTableEvent, TTableEvent, TTableEvent];
  events.push(applyRate(q, heartRateBpm, morphology.qrsScale * jitter));
  events.push(applyRate(r, heartRateBpm, morphology.qrsScale * jitter));
  events.push(applyRate(s, heartRateBpm, morphology.qrsScale * jitter));
  events.push(applyRate(t, heartRateBpm, morphology.tScale * jitter));
  return events;
}

// Events are negligible beyond 2.5 widths from their centre (exp(-3.1) ~ 4 % of the peak).
const EVENT_EXTENT_WIDTHS = 2.5;

/** Phase after the R peak until which the beat's own waves (R tail, S, T) last. */
export function getPostExtentRad(events: readonly TWaveEvent[]): number {
  let extent = 0;
  for (const event of events) {
    if (event.thetaRad >= 0) extent = Math.max(extent, event.thetaRad + EVENT_EXTENT_WIDTHS * event.widthRad);
  }
  return extent;
}

/** Phase before the R peak from which the beat's own waves (P, Q, R head) start. */
export function getPreExtentRad(events: readonly TWaveEvent[]): number {
  let extent = 0;
  for (const event of events) {
    if (event.thetaRad <= 0) extent = Math.max(extent, -event.thetaRad + EVENT_EXTENT_WIDTHS * event.widthRad);
  }
  return extent;
}

/** Phase after the R peak at which the QRS complex ends. */
export function getQrsEndRad(events: readonly TWaveEvent[]): number {
  let extent = 0;
  for (const event of events) {
    if (event.wave === "QRS" && event.thetaRad >= 0) extent = Math.max(extent, event.thetaRad + EVENT_EXTENT_WIDTHS * event.widthRad);
  }
  return extent;
}
