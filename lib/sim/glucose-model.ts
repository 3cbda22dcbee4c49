// Glucose-insulin dynamics of a person with type 1 diabetes: Bergman's minimal model driven by a gut
// model, subcutaneous insulin and exercise (parameters and sources in glucose-patient.ts).
//
//   G' = -(p1 + X) G + p1 Gb + Ra / V_G                     Bergman's minimal model, written as
//      = -(GEZI + A (1 + gain_ex E_long) + k_ex E_acute) G + EGP(t) + Ra / V_G
//   X' = -p2 X + p3 (I - Ib)                                 p3 = p2 SI
//   A  = max(0, SI Ib + X)                                   total insulin-dependent disposal rate
//   I' = U_I / V_I - k_e I                                   plasma insulin, uU/mL
//   S1' = u_basal - S1 / t_I,  S2' = (S1 - S2) / t_I,  U_I = S2 / t_I      SC insulin (Hovorka 2004)
//   Q1' = -Q1 / t_G,  Q2' = (Q1 - Q2) / t_G,  Ra = Q2 / t_G      gut (Hovorka 2004), in three copies
//                                                            for fast, mixed and slow carbohydrate
//   E_acute' = (u - E_acute) / tau_a,  E_long' = u / tau_build - E_long / tau_decay   exercise, u in 0..1
//   Gi' = (G - Gi) / tau_lag                                 interstitial glucose, what a CGM sees
//   - R(G)                                                    renal excretion above 162 mg/dL (Hovorka 2004:
//                                                            F_R = 0.003/min (G - 9 mmol/L) V_G)
//   EGP x (1 + c max(0, (65 - G) / 65))                      counter-regulation below ~65 mg/dL, the
//                                                            threshold of the adrenaline response (Cryer,
//                                                            Diabetes 54:3592 (2005)); weak, as in T1D
//
// In type 1 diabetes all insulin is exogenous, so Bergman's p1 splits into GEZI (insulin-independent)
// and SI * Ib (basal insulin's own action), and p1 Gb is the endogenous glucose production EGP that
// balances them at Gb. Splitting it lets exercise amplify insulin action without touching the rest.
// EGP(t) carries the dawn rise; SI(t) carries day-to-day variation.
import type { TGlucosePatient } from "./glucose-patient";

const STATE_SIZE = 14;
const G = 0;
const X = 1;
const I = 2;
const S1 = 3;
const S2 = 4;
const Q1 = 5;
const Q2 = 6;
const F1 = 7;
const F2 = 8;
const EXERCISE_ACUTE = 9;
const EXERCISE_LONG = 10;
const GI = 11;
const SLOW1 = 12;
const SLOW2 = 13;

// Meals differ in how fast they raise glucose. Fast carbohydrate (glucose tablets, juice, white bread)
// peaks in the blood within ~20 min; fat and protein delay gastric emptying, so a fatty meal's
// carbohydrate appears over several hours (the "pizza effect"), modelled as 2.5x the patient's usual
// time-to-peak. Each uses the same two-compartment gut model.
const FAST_CARB_ABSORPTION_MIN = 20;
const SLOW_CARB_ABSORPTION_FACTOR = 2.5;
// Exercise uptake follows effort within minutes; the sensitivity effect builds over about an hour and
// wanes over several hours (the late post-exercise lows of the consensus statement).
const EXERCISE_ACUTE_TAU_MIN = 10;
const EXERCISE_BUILD_TAU_MIN = 60;
const EXERCISE_DECAY_TAU_MIN = 6 * 60;
const RENAL_THRESHOLD_MG_DL = 162;
const RENAL_CLEARANCE_PER_MIN = 0.003;
const COUNTER_REGULATION_THRESHOLD_MG_DL = 65;
// Glucagon's response to a low is lost in type 1 diabetes; adrenaline's remains, blunted. At 40 mg/dL
// glucose output rises by ~75 %.
const COUNTER_REGULATION_GAIN = 2;

export type TCarbSpeed = "fast" | "mixed" | "slow";

export type TStepInputs = {
  /** Exercise intensity 0..1 over this minute. */
  exerciseIntensity: number;
  /** Multiplier of the patient's SI for this minute. */
  sensitivityFactor: number;
  /** Multiplier of basal glucose production for this minute (dawn phenomenon). */
  productionFactor: number;
};

export type TGlucoseModel = {
  /** Plasma glucose, mg/dL. */
  readonly glucoseMgDl: number;
  /** Interstitial glucose, mg/dL. */
  readonly interstitialMgDl: number;
  addCarbs(grams: number, speed: TCarbSpeed): void;
  addInsulin(units: number): void;
  /** Advances the model by one minute with RK4. */
  step(inputs: TStepInputs): void;
};

export function createGlucoseModel(options: { patient: TGlucosePatient; sensorLagMin: number }): TGlucoseModel {
  const { patient, sensorLagMin } = options;
  const basalInsulinMuPerMin = (patient.basalInsulinUPerH * 1000) / 60;
  const basalPlasmaInsulin = basalInsulinMuPerMin / (patient.insulinEliminationPerMin * patient.insulinVolumeL);
  const basalProduction = (patient.glucoseEffectivenessPerMin + patient.insulinSensitivity * basalPlasmaInsulin) * patient.basalGlucoseMgDl;
  const tI = patient.insulinAbsorptionMin;
  const tG = patient.mealAbsorptionMin;
  const tSlow = tG * SLOW_CARB_ABSORPTION_FACTOR;

  const state = new Float64Array(STATE_SIZE);
  state[G] = patient.basalGlucoseMgDl;
  state[I] = basalPlasmaInsulin;
  state[S1] = basalInsulinMuPerMin * tI;
  state[S2] = basalInsulinMuPerMin * tI;
  state[GI] = patient.basalGlucoseMgDl;

  const derivative = (y: Float64Array, out: Float64Array, inputs: TStepInputs) => {
    const sensitivity = patient.insulinSensitivity * inputs.sensitivityFactor;
    const glucose = Math.max(0, y[G] as number);
    const insulinAction = Math.max(0, sensitivity * basalPlasmaInsulin + (y[X] as number));
    const exerciseAcute = y[EXERCISE_ACUTE] as number;
    const exerciseLong = y[EXERCISE_LONG] as number;
    const appearanceMgPerMin = (y[Q2] as number) / tG + (y[F2] as number) / FAST_CARB_ABSORPTION_MIN + (y[SLOW2] as number) / tSlow;
    const disposal =
      patient.glucoseEffectivenessPerMin + insulinAction * (1 + patient.exerciseSensitivityGain * exerciseLong) + patient.exerciseUptakePerMin * exerciseAcute;
    const renal = glucose > RENAL_THRESHOLD_MG_DL ? RENAL_CLEARANCE_PER_MIN * (glucose - RENAL_THRESHOLD_MG_DL) : 0;
    const counterRegulation = 1 + COUNTER_REGULATION_GAIN * Math.max(0, (COUNTER_REGULATION_THRESHOLD_MG_DL - glucose) / COUNTER_REGULATION_THRESHOLD_MG_DL);
    out[G] = -disposal * glucose - renal + basalProduction * inputs.productionFactor * counterRegulation + appearanceMgPerMin / patient.glucoseVolumeDl;
    out[X] = -patient.insulinActionRatePerMin * (y[X] as number) + patient.insulinActionRatePerMin * sensitivity * ((y[I] as number) - basalPlasmaInsulin);
    out[I] = (y[S2] as number) / tI / patient.insulinVolumeL - patient.insulinEliminationPerMin * (y[I] as number);
    out[S1] = basalInsulinMuPerMin - (y[S1] as number) / tI;
    out[S2] = ((y[S1] as number) - (y[S2] as number)) / tI;
    out[Q1] = -(y[Q1] as number) / tG;
    out[Q2] = ((y[Q1] as number) - (y[Q2] as number)) / tG;
    out[F1] = -(y[F1] as number) / FAST_CARB_ABSORPTION_MIN;
    out[F2] = ((y[F1] as number) - (y[F2] as number)) / FAST_CARB_ABSORPTION_MIN;
    out[SLOW1] = -(y[SLOW1] as number) / tSlow;
    out[SLOW2] = ((y[SLOW1] as number) - (y[SLOW2] as number)) / tSlow;
    out[EXERCISE_ACUTE] = (inputs.exerciseIntensity - exerciseAcute) / EXERCISE_ACUTE_TAU_MIN;
    out[EXERCISE_LONG] = inputs.exerciseIntensity / EXERCISE_BUILD_TAU_MIN - exerciseLong / EXERCISE_DECAY_TAU_MIN;
    out[GI] = ((y[G] as number) - (y[GI] as number)) / sensorLagMin;
  };

  // RK4 with h = 1 min: the fastest rates are k_e = 0.138/min, the interstitial lag (>= 1/5 min) and
  // fast carbs (1/20 min), so h * lambda <= 0.2, far inside RK4's stability region, with local errors
  // of order (h lambda)^5 / 120 ~ 3e-6 relative. Inputs are constant within a minute, so there is no
  // discontinuity inside a step; meals and doses enter as impulses between steps.
  const k1 = new Float64Array(STATE_SIZE);
  const k2 = new Float64Array(STATE_SIZE);
  const k3 = new Float64Array(STATE_SIZE);
  const k4 = new Float64Array(STATE_SIZE);
  const stage = new Float64Array(STATE_SIZE);
  const h = 1;

  return {
    get glucoseMgDl() {
      return state[G] as number;
    },
    get interstitialMgDl() {
      return state[GI] as number;
    },
    addCarbs(grams, speed) {
      const milligrams = grams * 1000 * patient.carbBioavailability;
      const compartment = speed === "fast" ? F1 : speed === "slow" ? SLOW1 : Q1;
      state[compartment] = (state[compartment] as number) + milligrams;
    },
    addInsulin(units) {
      state[S1] = (state[S1] as number) + units * 1000;
    },
    step(inputs) {
      derivative(state, k1, inputs);
      for (let index = 0; index < STATE_SIZE; index += 1) stage[index] = (state[index] as number) + 0.5 * h * (k1[index] as number);
      derivative(stage, k2, inputs);
      for (let index = 0; index < STATE_SIZE; index += 1) stage[index] = (state[index] as number) + 0.5 * h * (k2[index] as number);
      derivative(stage, k3, inputs);
      for (let index = 0; index < STATE_SIZE; index += 1) stage[index] = (state[index] as number) + h * (k3[index] as number);
      derivative(stage, k4, inputs);
      for (let index = 0; index < STATE_SIZE; index += 1) {
        state[index] =
          (state[index] as number) + (h / 6) * ((k1[index] as number) + 2 * (k2[index] as number) + 2 * (k3[index] as number) + (k4[index] as number));
      }
    },
  };
}
