// Clinical reference ranges drawn on the charts. Display only: alerting uses lib/alerts' per-patient rules.
import type { TBand } from "./chart-setup";

/** Resting adult heart rate: below 50 bpm is commonly taken as clinically relevant bradycardia, above 100 bpm as tachycardia (AHA/ACC/HRS 2018 bradycardia guideline; ESC 2019 SVT guideline). */
export const HEART_RATE_LOW_BPM = 50;
export const HEART_RATE_HIGH_BPM = 100;

/** CGM time-in-range targets 70-180 mg/dL, below 54 mg/dL level 2 hypoglycaemia (International Consensus on Time in Range, Battelino et al., Diabetes Care 2019). */
export const GLUCOSE_LOW_MG_DL = 70;
export const GLUCOSE_VERY_LOW_MG_DL = 54;
export const GLUCOSE_HIGH_MG_DL = 180;

export const HEART_RATE_BANDS: TBand[] = [
  { yMin: 0, yMax: HEART_RATE_LOW_BPM, label: `Low (< ${HEART_RATE_LOW_BPM} bpm)`, color: "rgba(11, 87, 164, 0.10)" },
  { yMin: HEART_RATE_HIGH_BPM, yMax: 400, label: `High at rest (> ${HEART_RATE_HIGH_BPM} bpm)`, color: "rgba(164, 22, 26, 0.08)" },
];

export const GLUCOSE_BANDS: TBand[] = [
  { yMin: 0, yMax: GLUCOSE_LOW_MG_DL, label: `Low (< ${GLUCOSE_LOW_MG_DL} mg/dL)`, color: "rgba(164, 22, 26, 0.10)" },
  { yMin: GLUCOSE_LOW_MG_DL, yMax: GLUCOSE_HIGH_MG_DL, label: `Target range ${GLUCOSE_LOW_MG_DL}-${GLUCOSE_HIGH_MG_DL} mg/dL`, color: "rgba(26, 127, 55, 0.08)" },
  { yMin: GLUCOSE_HIGH_MG_DL, yMax: 600, label: `High (> ${GLUCOSE_HIGH_MG_DL} mg/dL)`, color: "rgba(176, 104, 0, 0.10)" },
];
