// The figures `npm run eval:ecg` reports, from the model's class for each real row (TRealRow):
// - CinC 2017 (recordings): F1 of N, A, O as the challenge scored them (2 TP / (true + predicted), the
//   network's classes mapped to the challenge's: sinus N, AF A, other rhythm and ventricular ectopy O,
//   noise ~); challengeF1 is the mean of the three, the CinC 2017 score. AF sensitivity over A records;
//   AF specificity over every other non-noisy record (N and O); noise recall over ~ records.
// - MIT-BIH (30 s windows): ventricular ectopy sensitivity over windows holding at least
//   VE_WINDOW_MIN_BEATS ventricular ectopic beats, and AF sensitivity over AF windows for reference.
import { ECG_CLASSES, pickEcgClass, type TEcgClass } from "../ecg-classes";
import type { TCincLabel } from "../../../datasets";
import type { TRealRow } from "./real-ecg-data";

const CHALLENGE_LABEL: Record<TEcgClass, TCincLabel> = { normal_sinus: "N", atrial_fibrillation: "A", other_rhythm: "O", ventricular_ectopy: "O", noise: "~" };
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
const ratio = (part: number, whole: number) => (whole > 0 ? round4(part / whole) : 0);

export type TRealEcgScore = {
  records: number;
  mitdbWindows: number;
  afSensitivity: number;
  afSpecificity: number;
  afF1: number;
  normalF1: number;
  otherF1: number;
  noiseF1: number;
  challengeF1: number;
  noiseRecall: number;
  veSensitivity: number;
  veWindows: number;
  /** MIT-BIH sinus windows the model called ventricular ectopy. */
  veFalsePositiveShare: number;
  mitdbAfSensitivity: number;
  /** Rows: CinC reference N, A, O, ~; columns: predicted in the same order. */
  cincConfusion: number[][];
};

export function scoreRealEcg(options: { rows: readonly TRealRow[]; predicted: readonly TEcgClass[] }): TRealEcgScore {
  const { rows, predicted } = options;
  const order: TCincLabel[] = ["N", "A", "O", "~"];
  const confusion = order.map(() => order.map(() => 0));
  let veWindows = 0;
  let veDetected = 0;
  let sinusWindows = 0;
  let sinusAsVe = 0;
  let mitAf = 0;
  let mitAfDetected = 0;
  let mitdbWindows = 0;
  rows.forEach((row, index) => {
    const ecgClass = predicted[index] as TEcgClass;
    if (row.source === "cinc2017" && row.cincLabel) {
      confusion[order.indexOf(row.cincLabel)]![order.indexOf(CHALLENGE_LABEL[ecgClass])]! += 1;
      return;
    }
    mitdbWindows += 1;
    if (row.ecgClass === "ventricular_ectopy") {
      veWindows += 1;
      if (ecgClass === "ventricular_ectopy") veDetected += 1;
    } else if (row.ecgClass === "normal_sinus") {
      sinusWindows += 1;
      if (ecgClass === "ventricular_ectopy") sinusAsVe += 1;
    } else if (row.ecgClass === "atrial_fibrillation") {
      mitAf += 1;
      if (ecgClass === "atrial_fibrillation") mitAfDetected += 1;
    }
  });
  const f1 = (label: TCincLabel) => {
    const index = order.indexOf(label);
    const truth = confusion[index]!.reduce((sum, value) => sum + value, 0);
    const called = confusion.reduce((sum, line) => sum + line[index]!, 0);
    return truth + called > 0 ? round4((2 * confusion[index]![index]!) / (truth + called)) : 0;
  };
  const [n, a, o] = [0, 1, 2];
  const afRow = confusion[a]!;
  const nonAfClean = [n, o];
  const nonAfTotal = nonAfClean.reduce((sum, row) => sum + confusion[row]!.reduce((s, v) => s + v, 0), 0);
  const nonAfCalledAf = nonAfClean.reduce((sum, row) => sum + confusion[row]![a]!, 0);
  const noiseRow = confusion[3]!;
  const normalF1 = f1("N");
  const afF1 = f1("A");
  const otherF1 = f1("O");
  return {
    records: confusion.reduce((sum, line) => sum + line.reduce((s, v) => s + v, 0), 0),
    mitdbWindows,
    afSensitivity: ratio(afRow[a]!, afRow.reduce((sum, value) => sum + value, 0)),
    afSpecificity: ratio(nonAfTotal - nonAfCalledAf, nonAfTotal),
    afF1,
    normalF1,
    otherF1,
    noiseF1: f1("~"),
    challengeF1: round4((normalF1 + afF1 + otherF1) / 3),
    noiseRecall: ratio(noiseRow[3]!, noiseRow.reduce((sum, value) => sum + value, 0)),
    veSensitivity: ratio(veDetected, veWindows),
    veWindows,
    veFalsePositiveShare: ratio(sinusAsVe, sinusWindows),
    mitdbAfSensitivity: ratio(mitAfDetected, mitAf),
    cincConfusion: confusion,
  };
}

/**
 * Decision offsets chosen on the validation split by coordinate search: the CinC score (challengeF1), with
 * the AF targets (sensitivity 0.95, specificity 0.97) and ventricular ectopy sensitivity (0.90) as soft
 * constraints. Sinus keeps offset 0 (offsets are relative).
 */
export function chooseDecisionOffsets(options: { rows: readonly TRealRow[]; probabilities: readonly Float32Array[] }): { offsets: Partial<Record<TEcgClass, number>>; score: TRealEcgScore } {
  const { rows, probabilities } = options;
  const evaluate = (offsets: Partial<Record<TEcgClass, number>>) => {
    const score = scoreRealEcg({ rows, predicted: probabilities.map((row) => pickEcgClass(row, offsets)) });
    const objective =
      score.challengeF1 + Math.min(0, score.afSensitivity - 0.95) + Math.min(0, score.afSpecificity - 0.97) + 0.5 * Math.min(0, score.veSensitivity - 0.9) + 0.05 * score.noiseRecall;
    return { score, objective };
  };
  const offsets: Partial<Record<TEcgClass, number>> = {};
  let best = evaluate(offsets);
  const steps = Array.from({ length: 41 }, (_, index) => Math.round((-2 + index * 0.1) * 10) / 10);
  for (let pass = 0; pass < 3; pass += 1) {
    for (const ecgClass of ECG_CLASSES.slice(1)) {
      for (const value of steps) {
        const candidate = { ...offsets, [ecgClass]: value };
        const result = evaluate(candidate);
        if (result.objective > best.objective + 1e-9) {
          best = result;
          offsets[ecgClass] = value;
        }
      }
    }
  }
  return { offsets, score: best.score };
}
