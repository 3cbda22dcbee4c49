// Integration of the ECGSYN dynamical model (McSharry et al., IEEE TBME 50(3) 2003):
//
//   dx/dt = alpha x - omega y,   dy/dt = alpha y + omega x,   alpha = 1 - sqrt(x^2 + y^2)
//   dz/dt = -sum_i a_i dtheta_i exp(-dtheta_i^2 / 2 b_i^2) - (z - z0(t))
//
// The (x, y) trajectory is attracted to the unit circle and turns at omega; its angle theta places the
// P, Q, R, S, T Gaussians; z is the ECG; z0 is baseline wander from respiration.
//
// In polar form the (x, y) equations are r' = r (1 - r), theta' = omega(t). Started on the limit cycle
// (r = 1, as here) the trajectory is exactly (cos theta(t), sin theta(t)) with theta the integral of
// omega, and omega is piecewise constant, so theta(t) is computed in closed form: R peaks (theta = 0
// mod 2 pi) land exactly on the planned beat times, and no phase error accumulates over a strip. z has
// no closed form and is integrated with fixed-step RK4, as ecgsyn.m integrates all three.
//
// Two departures from ECGSYN, both so that beats can differ from their neighbours (AF, PVCs):
// - theta is unwrapped into a cycle count, so interval j (beat j to beat j + 1) draws beat j's events
//   and beat j + 1's, each beat with its own shape (with or without a P wave, normal or ventricular).
// - ECGSYN holds omega = 2 pi / RR constant over an interval. Here the phases that carry waves turn at
//   the mean rate and the electrically quiet diastole stretches or shrinks to realise the interval: QT
//   follows the rate slowly and PR hardly at all, so a premature beat or a short AF cycle truncates
//   diastole, not the previous T wave. Only when diastole cannot absorb a short interval is the ST-T
//   segment compressed too (restitution shortens the QT of early beats), and only for intervals
//   shorter than the QRS-P-QRS phases themselves does omega fall back to ECGSYN's 2 pi / RR.
//   The mean omega over an interval is still 2 pi / RR. The event term is multiplied by omega / omegaRef,
//   so a wave's amplitude does not depend on how fast its phase is traversed (with ECGSYN's constant
//   omega per interval that is only a percent-level effect).
import { getPostExtentRad, getPreExtentRad, getQrsEndRad, type TWaveEvent } from "./ecg-waves";

const TWO_PI = 2 * Math.PI;
// Event Gaussians are skipped beyond 6 widths (exp(-18) ~ 1e-8 of their peak).
const EVENT_CUTOFF_WIDTHS = 6;
// Phase kept for diastole so the waves of consecutive beats have room.
const MIN_DIASTOLE_RAD = 0.3;
// Diastole's share of an interval is squeezed to no less than this before ST-T is compressed...
const MIN_DIASTOLE_SHARE = 0.15;
// ...and ST-T to no less than this share of its duration at the mean rate.
const MIN_ST_T_SHARE = 0.5;

export type TEcgDynamicsInput = {
  beats: readonly (readonly TWaveEvent[])[];
  /** rrS[j]: beat j to beat j + 1. */
  rrS: readonly number[];
  firstBeatTimeS: number;
  /** 2 pi x mean heart rate (Hz): the angular velocity of the wave-carrying phases. */
  referenceOmegaRadS: number;
  internalRateHz: number;
  /** Internal steps per output sample. */
  decimation: number;
  sampleCount: number;
  /** z0(t) = amplitude * sin(2 pi f t + phase), in model units. */
  respiration: { amplitude: number; frequencyHz: number; phaseRad: number };
};

export type TEcgDynamicsOutput = {
  /** z at t = n * decimation / internalRateHz, n = 0..sampleCount-1. */
  z: Float64Array;
  /** R-peak time of every beat of the plan (beat j at index j); some lie outside the strip. */
  beatTimesS: Float64Array;
};

/** theta(t) as segments of constant omega: segment k starts at startS[k] with unwrapped phase startRad[k]. */
type TPhaseSegments = { startS: Float64Array; startRad: Float64Array; omega: Float64Array; interval: Int32Array };

function planPhaseSegments(input: TEcgDynamicsInput): { segments: TPhaseSegments; beatTimesS: Float64Array; firstDiastoleS: number } {
  const { beats, rrS, referenceOmegaRadS: omegaRef } = input;
  const startS: number[] = [];
  const startRad: number[] = [];
  const omegas: number[] = [];
  const intervals: number[] = [];
  const beatTimesS = new Float64Array(rrS.length + 1);
  let timeS = input.firstBeatTimeS;
  let firstDiastoleS = timeS;
  for (let j = 0; j < rrS.length; j += 1) {
    beatTimesS[j] = timeS;
    const own = beats[j] as readonly TWaveEvent[];
    const next = beats[j + 1] as readonly TWaveEvent[];
    let post = getPostExtentRad(own);
    let pre = getPreExtentRad(next);
    if (post + pre > TWO_PI - MIN_DIASTOLE_RAD) {
      const shrink = (TWO_PI - MIN_DIASTOLE_RAD) / (post + pre);
      post *= shrink;
      pre *= shrink;
    }
    const qrsEnd = Math.min(getQrsEndRad(own), post);
    const rr = rrS[j] as number;
    const qrsS = qrsEnd / omegaRef;
    const preS = pre / omegaRef;
    const stTNominalS = (post - qrsEnd) / omegaRef;
    let stTS = Math.min(stTNominalS, (1 - MIN_DIASTOLE_SHARE) * rr - qrsS - preS);
    // Phases [0, qrsEnd), [qrsEnd, post), [post, 2 pi - pre), [2 pi - pre, 2 pi) and their omegas.
    let phaseOmegas: [number, number, number, number];
    if (stTS >= MIN_ST_T_SHARE * stTNominalS) {
      stTS = Math.max(stTS, 1e-9);
      const diastoleS = rr - qrsS - preS - stTS;
      phaseOmegas = [omegaRef, (post - qrsEnd) / stTS || omegaRef, (TWO_PI - pre - post) / diastoleS, omegaRef];
    } else {
      const uniform = TWO_PI / rr;
      phaseOmegas = [uniform, uniform, uniform, uniform];
    }
    const bounds = [0, qrsEnd, post, TWO_PI - pre, TWO_PI];
    for (let phase = 0; phase < 4; phase += 1) {
      const from = bounds[phase] as number;
      const to = bounds[phase + 1] as number;
      if (j === 0 && phase === 2) firstDiastoleS = timeS;
      if (to <= from) continue;
      const omega = phaseOmegas[phase] as number;
      startS.push(timeS);
      startRad.push(j * TWO_PI + from);
      omegas.push(omega);
      intervals.push(j);
      timeS += (to - from) / omega;
    }
  }
  beatTimesS[rrS.length] = timeS;
  // A closing segment so lookups past the last beat stay defined (the plan runs past the strip's end).
  startS.push(timeS);
  startRad.push(rrS.length * TWO_PI);
  omegas.push(omegaRef);
  intervals.push(rrS.length - 1);
  return {
    segments: { startS: Float64Array.from(startS), startRad: Float64Array.from(startRad), omega: Float64Array.from(omegas), interval: Int32Array.from(intervals) },
    beatTimesS,
    firstDiastoleS,
  };
}

/** Events of interval j (beat j's at their angle, beat j + 1's shifted by 2 pi), flattened. */
function flattenIntervalEvents(beats: readonly (readonly TWaveEvent[])[], intervalCount: number) {
  const start = new Int32Array(intervalCount + 1);
  const theta: number[] = [];
  const weight: number[] = [];
  const width: number[] = [];
  for (let j = 0; j < intervalCount; j += 1) {
    start[j] = theta.length;
    for (const [beat, offset] of [
      [beats[j], 0],
      [beats[j + 1], TWO_PI],
    ] as const) {
      for (const event of beat ?? []) {
        theta.push(event.thetaRad + offset);
        weight.push(event.weight);
        width.push(event.widthRad);
      }
    }
  }
  start[intervalCount] = theta.length;
  return { start, theta: Float64Array.from(theta), weight: Float64Array.from(weight), width: Float64Array.from(width) };
}

/** The event term of dz/dt at time t. Stage times only move forward, so the segment lookup is a cursor. */
type TDriveState = {
  segments: TPhaseSegments;
  lastSegment: number;
  eventStart: Int32Array;
  eventTheta: Float64Array;
  eventWeight: Float64Array;
  eventWidth: Float64Array;
  omegaRef: number;
  cursor: number;
};

// A plain function over explicit state rather than a closure per strip: optimised code for the RK4 loop
// stays valid from one strip to the next.
function getEventDrive(state: TDriveState, t: number): number {
  const { startS, startRad, omega: segmentOmega, interval: segmentInterval } = state.segments;
  let cursor = state.cursor;
  while (cursor < state.lastSegment && (startS[cursor + 1] as number) <= t) cursor += 1;
  state.cursor = cursor;
  const omega = segmentOmega[cursor] as number;
  const j = segmentInterval[cursor] as number;
  const theta = (startRad[cursor] as number) + omega * (t - (startS[cursor] as number)) - j * TWO_PI;
  const { eventStart, eventTheta, eventWeight, eventWidth } = state;
  let sum = 0;
  const end = eventStart[j + 1] as number;
  for (let e = eventStart[j] as number; e < end; e += 1) {
    const width = eventWidth[e] as number;
    const delta = theta - (eventTheta[e] as number);
    if (delta > EVENT_CUTOFF_WIDTHS * width || delta < -EVENT_CUTOFF_WIDTHS * width) continue;
    sum += (eventWeight[e] as number) * delta * Math.exp((-delta * delta) / (2 * width * width));
  }
  return -(omega / state.omegaRef) * sum;
}

export function integrateEcgDynamics(input: TEcgDynamicsInput): TEcgDynamicsOutput {
  const { segments, beatTimesS, firstDiastoleS } = planPhaseSegments(input);
  const events = flattenIntervalEvents(input.beats, input.rrS.length);
  const drive: TDriveState = {
    segments,
    lastSegment: segments.startS.length - 1,
    eventStart: events.start,
    eventTheta: events.theta,
    eventWeight: events.weight,
    eventWidth: events.width,
    omegaRef: input.referenceOmegaRadS,
    cursor: 0,
  };
  const { amplitude: respirationAmplitude, phaseRad: respirationPhase } = input.respiration;
  const respirationOmega = TWO_PI * input.respiration.frequencyHz;
  const h = 1 / input.internalRateHz;

  // Start in beat 0's diastole, where z rests on its baseline, at a grid point t = -m h so that every
  // output sample falls on the grid. The plan puts beat 0 more than a cycle before t = 0.
  const startStep = Math.max(0, Math.floor(-firstDiastoleS / h));

  const { decimation, sampleCount } = input;
  const output = new Float64Array(sampleCount);
  const totalSteps = startStep + (sampleCount - 1) * decimation + 1;
  let t = -startStep * h;
  let baselineNow = respirationAmplitude * Math.sin(respirationOmega * t + respirationPhase);
  let z = baselineNow;
  let driveNow = getEventDrive(drive, t);
  for (let step = 0; step < totalSteps; step += 1) {
    const sinceZero = step - startStep;
    if (sinceZero >= 0 && sinceZero % decimation === 0) output[sinceZero / decimation] = z;
    // dz/dt = drive(t) - (z - z0(t)); the drive does not depend on z, so each time is evaluated once.
    const baselineMid = respirationAmplitude * Math.sin(respirationOmega * (t + 0.5 * h) + respirationPhase);
    const baselineNext = respirationAmplitude * Math.sin(respirationOmega * (t + h) + respirationPhase);
    const driveMid = getEventDrive(drive, t + 0.5 * h);
    const driveNext = getEventDrive(drive, t + h);
    const k1 = driveNow - (z - baselineNow);
    const k2 = driveMid - (z + 0.5 * h * k1 - baselineMid);
    const k3 = driveMid - (z + 0.5 * h * k2 - baselineMid);
    const k4 = driveNext - (z + h * k3 - baselineNext);
    z += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    baselineNow = baselineNext;
    driveNow = driveNext;
    t = (step + 1 - startStep) * h;
  }
  return { z: output, beatTimesS };
}
