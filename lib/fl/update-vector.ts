// The one vector a hospital masks and uploads in a round, and how the server reads the secure sum back.
//
// Layout (length parameterCount + 1 + classCount^2):
//   [ w * clip(delta) (+ DP noise) | w | local validation confusion matrix, one ring unit per strip ]
// where delta = local weights - global weights, w = min(1, samples / sampleCap). The secure sum then
// gives sum(w_k delta_k), sum(w_k) (FedAvg weighted by sample counts, without any one count) and the
// summed validation confusion matrix: each hospital's local validation is only ever seen in aggregate.
import { AppError } from "../errors/app-error";
import { quantizeVector, dequantizeVector, getFixedPointScale } from "./secagg/ring";
import { prepareUpdate } from "./prepare-update";

/** The most strips one hospital may report in one cell of its validation confusion matrix. */
export const MAX_VALIDATION_COUNT = 10_000;
/** Per-coordinate ring clip as a multiple of max(clipNorm, 1): headroom for DP noise on top of the L2 clip. */
const RING_CLIP_FACTOR = 4;

export type TUpdateVectorLayout = { parameterCount: number; classCount: number };

export const getUpdateVectorLength = (layout: TUpdateVectorLayout) => layout.parameterCount + 1 + layout.classCount ** 2;

/** The fixed-point parameters of a round: every participant and the server must use the same. */
export function getRingParameters(options: { clipNorm: number; participants: number }): { clip: number; scale: number } {
  const clip = RING_CLIP_FACTOR * Math.max(options.clipNorm, 1);
  return { clip, scale: getFixedPointScale({ clip, participants: options.participants }) };
}

export type TEncodeUpdateOptions = {
  layout: TUpdateVectorLayout;
  delta: ArrayLike<number>;
  sampleCount: number;
  sampleCap: number;
  clipNorm: number;
  noiseStdPerParticipant?: number;
  /** Rows: true class, columns: predicted class; counts on the hospital's own validation split. */
  validationConfusion: number[][];
  /** Seats selected for the round (round.participants): the ring scale depends on it, the same for all. */
  participants: number;
};

/** The participant's side: the quantized vector in Z/2^32 that secure aggregation masks. */
export function encodeUpdateVector(options: TEncodeUpdateOptions): { vector: Uint32Array; clippedFrom: number; weight: number } {
  const { layout, validationConfusion } = options;
  if (options.delta.length !== layout.parameterCount) throw new AppError("BAD_REQUEST", { message: `delta has ${options.delta.length} values, the model ${layout.parameterCount}` });
  if (validationConfusion.length !== layout.classCount || validationConfusion.some((row) => row.length !== layout.classCount)) {
    throw new AppError("BAD_REQUEST", { message: `validation confusion must be ${layout.classCount} x ${layout.classCount}` });
  }
  const prepared = prepareUpdate(options);
  const values = new Float64Array(getUpdateVectorLength(layout));
  values.set(prepared.vector, 0);
  const ring = getRingParameters({ clipNorm: options.clipNorm, participants: options.participants });
  // A count is sent as count / scale, which quantizes to exactly the integer count: the summed matrix is
  // exact however many hospitals take part (a coarser encoding would add rounding error per hospital).
  let offset = layout.parameterCount + 1;
  for (const row of validationConfusion) {
    for (const count of row) {
      if (!Number.isInteger(count) || count < 0 || count > MAX_VALIDATION_COUNT) throw new AppError("BAD_REQUEST", { message: `validation counts must be integers in 0..${MAX_VALIDATION_COUNT}` });
      values[offset] = count / ring.scale;
      offset += 1;
    }
  }
  return { vector: quantizeVector(values, ring), clippedFrom: prepared.clippedFrom, weight: prepared.weight };
}

export type TDecodedAggregate = {
  /** FedAvg step: sum(w_k delta_k) / sum(w_k). */
  delta: Float64Array;
  totalWeight: number;
  validationConfusion: number[][];
  validation: { strips: number; accuracy: number; macroF1: number };
};

/** Macro F1 and accuracy from a confusion matrix (rows true, columns predicted). */
export function scoreConfusion(confusion: number[][]): { strips: number; accuracy: number; macroF1: number } {
  const classCount = confusion.length;
  let strips = 0;
  let correct = 0;
  let f1Sum = 0;
  for (let row = 0; row < classCount; row += 1) {
    const truePositives = confusion[row]![row]!;
    const support = confusion[row]!.reduce((sum, value) => sum + value, 0);
    const predicted = confusion.reduce((sum, line) => sum + line[row]!, 0);
    strips += support;
    correct += truePositives;
    const precision = predicted > 0 ? truePositives / predicted : 0;
    const recall = support > 0 ? truePositives / support : 0;
    f1Sum += precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  }
  const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
  return { strips, accuracy: strips > 0 ? round4(correct / strips) : 0, macroF1: round4(f1Sum / classCount) };
}

/** The server's side: the unmasked sum in Z/2^32 read back as the averaged update and the aggregate validation. */
export function decodeAggregate(options: { sum: Uint32Array; layout: TUpdateVectorLayout; clipNorm: number; participants: number }): TDecodedAggregate {
  const { layout } = options;
  if (options.sum.length !== getUpdateVectorLength(layout)) throw new AppError("VALIDATION_FAILED", { message: "aggregate has the wrong length for this model" });
  const { scale } = getRingParameters(options);
  const values = dequantizeVector(options.sum, scale);
  const totalWeight = values[layout.parameterCount]!;
  if (!(totalWeight > 0)) throw new AppError("VALIDATION_FAILED", { message: "the aggregate carries no weight" });
  const delta = new Float64Array(layout.parameterCount);
  for (let index = 0; index < layout.parameterCount; index += 1) delta[index] = values[index]! / totalWeight;
  const validationConfusion: number[][] = [];
  let offset = layout.parameterCount + 1;
  for (let row = 0; row < layout.classCount; row += 1) {
    const line: number[] = [];
    for (let column = 0; column < layout.classCount; column += 1) {
      line.push(Math.round(values[offset]! * scale));
      offset += 1;
    }
    validationConfusion.push(line);
  }
  return { delta, totalWeight, validationConfusion, validation: scoreConfusion(validationConfusion) };
}
