import type { TRng } from "../../../sim/rng";

/** Fisher-Yates in place with a seeded generator, so batch order is reproducible. */
export function shuffleIndexes(indexes: number[], rng: TRng): void {
  for (let index = indexes.length - 1; index > 0; index -= 1) {
    const other = rng.int(0, index);
    [indexes[index], indexes[other]] = [indexes[other] as number, indexes[index] as number];
  }
}
