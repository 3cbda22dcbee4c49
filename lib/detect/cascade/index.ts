export { ZCascadeConfigSchema, type TCascadeConfig, type TCascadeConfigInput } from "./cascade-config";
export {
  createCascadePolicy,
  type TCascadeAction,
  type TCascadeAlert,
  type TCascadeClock,
  type TCascadePhase,
  type TCascadePolicy,
  type TTier1Evidence,
} from "./create-cascade-policy";
export { ECG_LABEL_CONDITION, type TEcgClass, type TEcgClassification, type TEcgClassifier, type TEcgLabel } from "./ecg-classification";
export { judgeEcgResult, type TEcgVerdict } from "./judge-ecg-result";
export { CRITICAL_BRADYCARDIA_BPM, CRITICAL_TACHYCARDIA_BPM, suggestSeverity, type TAlertSeverity } from "./suggest-severity";
