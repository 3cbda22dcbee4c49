import { MODEL_INPUT_LENGTH, RR_FEATURE_COUNT } from "../ecg-input-spec";
import { createEcgDataset, type TEcgDataset } from "./ecg-dataset";

/** A copy of the given rows of one or more datasets, in order (`rows` omitted: every row). */
export function selectEcgRows(options: { parts: { dataset: TEcgDataset; rows?: ArrayLike<number> }[] }): TEcgDataset {
  const total = options.parts.reduce((sum, part) => sum + (part.rows?.length ?? part.dataset.count), 0);
  const out = createEcgDataset(total);
  let row = 0;
  for (const { dataset, rows } of options.parts) {
    const count = rows?.length ?? dataset.count;
    for (let position = 0; position < count; position += 1) {
      const index = rows ? (rows[position] as number) : position;
      out.signals.set(dataset.signals.subarray(index * MODEL_INPUT_LENGTH, (index + 1) * MODEL_INPUT_LENGTH), row * MODEL_INPUT_LENGTH);
      out.rrFeatures.set(dataset.rrFeatures.subarray(index * RR_FEATURE_COUNT, (index + 1) * RR_FEATURE_COUNT), row * RR_FEATURE_COUNT);
      out.labels[row] = dataset.labels[index] as number;
      row += 1;
    }
  }
  return out;
}
