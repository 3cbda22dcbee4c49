// What the patient's client concludes from a decrypted forecast, and what it may share. Only the
// finding (low or high, and when) is ever shared with the care team, never the forecast values: the
// server computed the forecast without seeing them, and sharing stays the patient's choice.
import { z } from "zod";
import { FORECAST_HORIZON_MIN } from "./features";

// Level 1 hypoglycaemia (< 70 mg/dL) and level 2 hyperglycaemia (> 250 mg/dL), the thresholds of the
// International Consensus on Time in Range (Battelino et al., Diabetes Care 42:1593 (2019)).
export const FORECAST_LOW_MG_DL = 70;
export const FORECAST_HIGH_MG_DL = 250;

export type TForecastFindingKind = "predicted_low" | "predicted_high";

export function getForecastFinding(forecastMgDl: number): TForecastFindingKind | null {
  if (forecastMgDl < FORECAST_LOW_MG_DL) return "predicted_low";
  if (forecastMgDl > FORECAST_HIGH_MG_DL) return "predicted_high";
  return null;
}

/**
 * The body a client posts to share a finding (POST /api/patients/:patientId/he/findings, which raises an
 * alert through lib/alerts). No glucose values: the kind, the horizon, and when it was forecast.
 */
export const ZShareForecastFindingSchema = z.strictObject({
  finding: z.enum(["predicted_low", "predicted_high"]),
  horizonMin: z.literal(FORECAST_HORIZON_MIN),
  forecastAt: z.iso.datetime({ offset: true }),
  /** The model version that produced it, so the care team can tell forecasts from different models apart. */
  modelVersion: z.string().max(50),
});
export type TShareForecastFinding = z.infer<typeof ZShareForecastFindingSchema>;
