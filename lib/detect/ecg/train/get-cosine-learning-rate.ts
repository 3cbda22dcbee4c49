/** Cosine decay to a tenth over `epochs`: large steps early, fine ones at the end, no tuning of a schedule. */
export function getCosineLearningRate(options: { baseLearningRate: number; epoch: number; epochs: number }): number {
  const { baseLearningRate, epoch, epochs } = options;
  return baseLearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * epoch) / epochs)));
}
