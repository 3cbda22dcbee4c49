// The screen's episode names as the alert module names conditions.
import type { TAlertCondition } from "../../alerts/alert-conditions";
import type { TScreenCondition } from "../screen/screen-model";

export const ALERT_CONDITION_FOR_SCREEN: Record<TScreenCondition, TAlertCondition> = {
  tachycardia_rest: "tachycardia",
  bradycardia: "bradycardia",
  afib: "atrial_fibrillation",
  ectopic_burst: "ventricular_ectopy",
};
