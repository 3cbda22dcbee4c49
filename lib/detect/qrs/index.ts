export type { TStripQuality } from "./assess-strip-quality";
export {
  detectQrs,
  MAX_QRS_SAMPLE_RATE_HZ,
  MIN_QRS_SAMPLE_RATE_HZ,
  ZDetectQrsOptionsSchema,
  type TDetectQrsOptions,
  type TQrsDetection,
} from "./detect-qrs";
export { summarizeRhythm, type TRhythmSummary } from "./summarize-rhythm";
