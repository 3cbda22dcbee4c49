// What a hospital uploads in a federated round, before masking: its model update (local weights minus
// the global weights) clipped to an L2 norm, weighted by its share of the samples, with the weight
// itself appended, so the secure sum yields both the weighted update sum and the total weight (FedAvg
// weighted by sample counts, without revealing any one hospital's count). Optional Gaussian noise for
// differential privacy is added here, on the participant, because the server only ever sees the sum.
import { randomBytes } from "node:crypto";
import { AppError } from "../errors/app-error";

export type TPreparedUpdate = { vector: Float64Array; clippedFrom: number; weight: number };

export function l2Norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) sum += (values[index] as number) ** 2;
  return Math.sqrt(sum);
}

/** Standard normal draws from crypto-strength randomness (Box-Muller): DP noise must not be predictable. */
export function drawGaussian(count: number): Float64Array {
  const out = new Float64Array(count);
  const uniforms = new Uint32Array(randomBytes(8 * Math.ceil(count / 2)).buffer);
  for (let index = 0; index < count; index += 2) {
    const u1 = ((uniforms[index] as number) + 1) / 4_294_967_297;
    const u2 = ((uniforms[index + 1] as number) + 1) / 4_294_967_297;
    const radius = Math.sqrt(-2 * Math.log(u1));
    out[index] = radius * Math.cos(2 * Math.PI * u2);
    if (index + 1 < count) out[index + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

export function prepareUpdate(options: {
  delta: ArrayLike<number>;
  sampleCount: number;
  /** Sample count that earns full weight 1 (more samples do not weigh more): bounds one hospital's influence. */
  sampleCap: number;
  clipNorm: number;
  /** Per-participant noise standard deviation, as a multiple of clipNorm (0: no DP noise). */
  noiseStdPerParticipant?: number;
}): TPreparedUpdate {
  const { delta, clipNorm } = options;
  if (!(clipNorm > 0) || !(options.sampleCap > 0)) throw new AppError("BAD_REQUEST", { message: "clipNorm and sampleCap must be positive" });
  if (!Number.isInteger(options.sampleCount) || options.sampleCount < 1) throw new AppError("BAD_REQUEST", { message: "sampleCount must be a positive integer" });
  const norm = l2Norm(delta);
  const factor = norm > clipNorm ? clipNorm / norm : 1;
  const weight = Math.min(1, options.sampleCount / options.sampleCap);
  const vector = new Float64Array(delta.length + 1);
  for (let index = 0; index < delta.length; index += 1) vector[index] = (delta[index] as number) * factor * weight;
  if (options.noiseStdPerParticipant && options.noiseStdPerParticipant > 0) {
    const noise = drawGaussian(delta.length);
    for (let index = 0; index < delta.length; index += 1) vector[index]! += noise[index]! * options.noiseStdPerParticipant * clipNorm;
  }
  vector[delta.length] = weight;
  return { vector, clippedFrom: norm, weight };
}

/** FedAvg from the secure sum: sum(w_k * delta_k) / sum(w_k), the last coordinate being sum(w_k). */
export function averageFromSum(sum: ArrayLike<number>): { delta: Float64Array; totalWeight: number } {
  const totalWeight = sum[sum.length - 1] as number;
  if (!(totalWeight > 0)) throw new AppError("VALIDATION_FAILED", { message: "the aggregate carries no weight" });
  const delta = new Float64Array(sum.length - 1);
  for (let index = 0; index < delta.length; index += 1) delta[index] = (sum[index] as number) / totalWeight;
  return { delta, totalWeight };
}
