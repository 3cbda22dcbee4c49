// Which split a real CGM subject belongs to. By subject, never by example: consecutive examples of one
// person are nearly copies, and a model is meant for people it has not seen. A hash of the subject id
// (not a shuffle of the current list) keeps every subject's split fixed when subjects are added or the
// folder is listed in another order, and puts new subjects into a split reproducibly.
import { createHash } from "node:crypto";

export type TCgmSplit = "train" | "validation" | "test";
export const CGM_SPLITS: readonly TCgmSplit[] = ["train", "validation", "test"];

/** The fixed seed of the split; changing it reshuffles every subject and invalidates reported test metrics. */
export const CGM_SPLIT_SEED = "pulseguard-glucose-forecast-split-v1";
// 60 % fit, 20 % choose (ridge strength), 20 % judge.
const TRAIN_FRACTION = 0.6;
const VALIDATION_FRACTION = 0.2;

export function getCgmSplit(subjectId: string): TCgmSplit {
  const digest = createHash("sha256").update(`${CGM_SPLIT_SEED}:${subjectId}`).digest();
  const unit = digest.readUInt32BE(0) / 2 ** 32;
  if (unit < TRAIN_FRACTION) return "train";
  if (unit < TRAIN_FRACTION + VALIDATION_FRACTION) return "validation";
  return "test";
}
