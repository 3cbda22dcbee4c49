// A continuous glucose monitor: it measures interstitial glucose (the model's Gi, which trails plasma
// glucose through a first-order lag), with a calibration error per sensor, autocorrelated noise, and
// the output conventions of real CGMs (whole mg/dL, 40-400).
import { MAX_GLUCOSE_MG_DL, MIN_GLUCOSE_MG_DL } from "../ingest/batch-schemas";
import type { TRng } from "./rng";

/** CGMs report every 5 minutes. */
export const CGM_READING_INTERVAL_MIN = 5;
// A sensor is worn for 10 days (Dexcom G6/G7-class), and each new one brings its own calibration error.
const SENSOR_SESSION_MIN = 10 * 24 * 60;
// Noise between consecutive 5-min readings is strongly correlated (Breton & Kovatchev, J Diabetes Sci
// Technol 2:853 (2008), modelled sensor error as an autoregressive process).
const NOISE_AUTOCORRELATION = 0.7;

export type TCgmSensor = {
  /** Blood-to-interstitium time constant, min. */
  readonly lagMin: number;
  /** The reading at tMin from the interstitial glucose; call once per reading, in time order. */
  read(options: { tMin: number; interstitialMgDl: number }): number;
};

export function createCgmSensor(rng: TRng): TCgmSensor {
  // Plasma-to-interstitial equilibration with time constants of ~5-10 min (Rebrin et al., Am J Physiol
  // 277:E561 (1999) and later CGM lag studies).
  const lagMin = rng.uniform(5, 10);
  // Noise SD grows with glucose: ~3 mg/dL floor plus 2-4 % (a MARD of ~9-10 % overall once lag and
  // calibration error are added).
  const absoluteSd = rng.uniform(2.5, 4);
  const relativeSd = rng.uniform(0.02, 0.04);
  let session = -1;
  let gain = 1;
  let offset = 0;
  let noise = 0;
  return {
    lagMin,
    read({ tMin, interstitialMgDl }) {
      const currentSession = Math.floor(tMin / SENSOR_SESSION_MIN);
      if (currentSession !== session) {
        session = currentSession;
        gain = 1 + rng.normal(0, 0.03);
        offset = rng.normal(0, 3);
        noise = rng.normal();
      } else {
        noise = NOISE_AUTOCORRELATION * noise + Math.sqrt(1 - NOISE_AUTOCORRELATION ** 2) * rng.normal();
      }
      const sd = Math.hypot(absoluteSd, relativeSd * interstitialMgDl);
      const measured = gain * interstitialMgDl + offset + sd * noise;
      return Math.round(Math.min(MAX_GLUCOSE_MG_DL, Math.max(MIN_GLUCOSE_MG_DL, measured)));
    },
  };
}
