import { ECG_CLASSES, type TEcgClass } from "../ecg-classes";

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

export type TEcgClassificationScore = {
  strips: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<TEcgClass, { precision: number; recall: number; f1: number; support: number }>;
  /** Rows: true class, columns: predicted class, ECG_CLASSES order. */
  confusionMatrix: number[][];
};

/** Per-class precision, recall and F1, macro F1 (unweighted mean over the classes) and the confusion matrix. */
export function scoreEcgClassification(options: { truth: ArrayLike<number>; predicted: ArrayLike<number> }): TEcgClassificationScore {
  const { truth, predicted } = options;
  const classCount = ECG_CLASSES.length;
  const confusionMatrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let index = 0; index < truth.length; index += 1) confusionMatrix[truth[index] as number]![predicted[index] as number]! += 1;
  const perClass = {} as TEcgClassificationScore["perClass"];
  let f1Sum = 0;
  let correct = 0;
  ECG_CLASSES.forEach((rhythm, row) => {
    const truePositives = confusionMatrix[row]![row]!;
    correct += truePositives;
    const support = confusionMatrix[row]!.reduce((sum, value) => sum + value, 0);
    const predictedCount = confusionMatrix.reduce((sum, line) => sum + line[row]!, 0);
    const precision = predictedCount > 0 ? truePositives / predictedCount : 0;
    const recall = support > 0 ? truePositives / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    f1Sum += f1;
    perClass[rhythm] = { precision: round4(precision), recall: round4(recall), f1: round4(f1), support };
  });
  return { strips: truth.length, accuracy: truth.length > 0 ? round4(correct / truth.length) : 0, macroF1: round4(f1Sum / classCount), perClass, confusionMatrix };
}
