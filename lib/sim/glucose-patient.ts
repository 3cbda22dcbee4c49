// One simulated person with type 1 diabetes: physiological parameters of the model (glucose-model.ts)
// and the therapy settings they dose with, which are estimates of the truth, not the truth itself.
import type { TRng } from "./rng";

export type TGlucosePatient = {
  weightKg: number;
  /** Fasting glucose that the patient's basal insulin holds (Bergman's Gb). */
  basalGlucoseMgDl: number;
  /** Insulin-independent glucose disposal (glucose effectiveness at zero insulin), 1/min. */
  glucoseEffectivenessPerMin: number;
  /** Insulin sensitivity SI = p3 / p2 of the minimal model, (1/min) per (uU/mL). */
  insulinSensitivity: number;
  /** Rate constant of remote insulin action (Bergman's p2), 1/min. */
  insulinActionRatePerMin: number;
  glucoseVolumeDl: number;
  insulinVolumeL: number;
  insulinEliminationPerMin: number;
  /** Time-to-peak of subcutaneous insulin absorption (two equal compartments), min. */
  insulinAbsorptionMin: number;
  /** Time-to-peak of carbohydrate absorption from a mixed meal (two equal compartments), min. */
  mealAbsorptionMin: number;
  /** Share of ingested carbohydrate that reaches the circulation. */
  carbBioavailability: number;
  basalInsulinUPerH: number;
  /** Extra hepatic glucose output before waking (dawn phenomenon), as a fraction of basal output. */
  dawnRise: number;
  /** Day-to-day variability of insulin sensitivity (SD of the log of a daily factor). */
  dailySensitivitySd: number;
  /** Fractional drop of insulin sensitivity around 08:00 (breakfast needs more insulin per gram). */
  morningResistance: number;
  /** Insulin-independent uptake during exercise at intensity 1, 1/min. */
  exerciseUptakePerMin: number;
  /** Fractional rise of insulin action per unit of the post-exercise state. */
  exerciseSensitivityGain: number;
  /** The patient's own settings, as their clinic set them: close to, not equal to, the truth. */
  carbRatioGPerU: number;
  correctionFactorMgDlPerU: number;
  /** How often the patient forgets a meal bolus. */
  missedBolusChance: number;
  /** Systematic carb-counting bias: some habitually under-, some over-estimate. */
  carbEstimateBias: number;
};

/**
 * Parameter sources:
 * - Minimal model structure and magnitudes: Bergman, Ider, Bowden, Cobelli, Am J Physiol 236:E667 (1979);
 *   Bergman, Phillips, Cobelli, J Clin Invest 68:1456 (1981). SI of order 1e-4 to 1e-3 (1/min per uU/mL)
 *   and p2 of 0.01-0.04/min across people; SI ~ 6.5e-4 here, log-normal across patients, which gives
 *   carb ratios of ~5-20 g/U (median ~10) and correction factors of ~35-150 mg/dL per U (median ~70),
 *   the ranges seen in clinic.
 * - Subcutaneous insulin, insulin kinetics, volumes and the gut model: Hovorka et al., Physiol Meas 25:905
 *   (2004): t_max,I 55 min, k_e 0.138/min, V_I 0.12 L/kg, V_G 0.16 L/kg, t_max,G 40 min, A_G 0.8.
 *   (Dalla Man, Rizza, Cobelli, IEEE TBME 54:1740 (2007) has a more detailed gastric model; the two-
 *   compartment Hovorka form reproduces the 1-2 h rate-of-appearance peak of a mixed meal, enough here.)
 * - Glucose effectiveness at zero insulin ~1-3e-3/min: the insulin-independent share of the minimal
 *   model's p1 (p1 = GEZI + SI * Ib in type 1 diabetes, where all insulin is exogenous), so that p1 lands
 *   near the ~0.01/min of minimal-model studies.
 * - Dawn phenomenon and day-to-day insulin sensitivity: as added to the UVA/Padova simulator (Visentin et
 *   al., J Diabetes Sci Technol 12:273 (2018)); magnitudes here are modest (up to +25 % early-morning
 *   output, 10-25 % daily SD of SI, and up to 30 % lower SI around breakfast, the intraday pattern that
 *   simulator version describes).
 * - Exercise: the minimal model extended with an exercise state that raises insulin-independent uptake
 *   during activity and insulin action for hours after (Roy & Parker, J Diabetes Sci Technol 1:338 (2007);
 *   Breton, J Diabetes Sci Technol 2:169 (2008)). Tuned so 45 min at moderate intensity lowers glucose by
 *   roughly 20-80 mg/dL (more when starting high with insulin on board) with raised sensitivity lasting
 *   into the night, the pattern the exercise consensus describes (Riddell et al., Lancet Diabetes
 *   Endocrinol 5:377 (2017)).
 * - Settings: carb ratio and correction factor follow from the model (below) with ~15-20 % error, as
 *   settings titrated from clinic data would; carb counts err by ~20-25 % per meal (Brazeau et al.,
 *   Diabetes Res Clin Pract 99:19 (2013)).
 */
export function drawGlucosePatient(options: { rng: TRng; basalGlucoseMgDl?: number }): TGlucosePatient {
  const { rng } = options;
  const logNormal = (median: number, sd: number) => median * Math.exp(rng.normal(0, sd));
  const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

  const weightKg = clamp(rng.normal(72, 12), 45, 120);
  // Many run their fasting glucose above the 70-130 mg/dL premeal target: basal doses are titrated cautiously.
  const basalGlucoseMgDl = options.basalGlucoseMgDl ?? rng.uniform(100, 170);
  const insulinSensitivity = clamp(logNormal(6.5e-4, 0.3), 3e-4, 1.3e-3);
  const glucoseVolumeDl = 1.6 * weightKg;
  const insulinVolumeL = 0.12 * weightKg;
  const insulinEliminationPerMin = 0.138;
  const carbBioavailability = clamp(rng.normal(0.8, 0.04), 0.7, 0.9);

  // With the minimal model linearised around Gb, a meal of C g adds A_G * C * 1000 / V_G of glucose
  // area-rate and a dose of D U removes Gb * SI * D * 1000 / (k_e V_I): they cancel at
  // C / D = V_G * Gb * SI / (A_G * k_e * V_I). The correction factor is that ratio times the glucose rise
  // per gram, A_G * 1000 / V_G.
  const trueCarbRatio = (glucoseVolumeDl * basalGlucoseMgDl * insulinSensitivity) / (carbBioavailability * insulinEliminationPerMin * insulinVolumeL);
  const trueCorrectionFactor = (trueCarbRatio * carbBioavailability * 1000) / glucoseVolumeDl;

  return {
    weightKg,
    basalGlucoseMgDl,
    glucoseEffectivenessPerMin: rng.uniform(0.001, 0.003),
    insulinSensitivity,
    insulinActionRatePerMin: clamp(logNormal(0.025, 0.25), 0.012, 0.05),
    glucoseVolumeDl,
    insulinVolumeL,
    insulinEliminationPerMin,
    insulinAbsorptionMin: clamp(logNormal(55, 0.15), 40, 80),
    mealAbsorptionMin: clamp(logNormal(40, 0.2), 25, 70),
    carbBioavailability,
    // Basal is roughly half of a 0.5-0.8 U/kg/day total daily dose.
    basalInsulinUPerH: (rng.uniform(0.25, 0.4) * weightKg) / 24,
    dawnRise: rng.uniform(0, 0.25),
    dailySensitivitySd: rng.uniform(0.1, 0.25),
    morningResistance: rng.uniform(0, 0.3),
    exerciseUptakePerMin: rng.uniform(0.015, 0.03),
    exerciseSensitivityGain: rng.uniform(0.5, 1),
    carbRatioGPerU: trueCarbRatio * Math.exp(rng.normal(0, 0.15)),
    correctionFactorMgDlPerU: trueCorrectionFactor * Math.exp(rng.normal(0, 0.2)),
    missedBolusChance: rng.uniform(0.05, 0.2),
    carbEstimateBias: rng.uniform(0.85, 1.25),
  };
}
