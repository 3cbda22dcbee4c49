// The model card every committed manifest carries (Mitchell et al., "Model Cards for Model Reporting",
// FAT* 2019, cut to what a hospital asks first): what the model is for, what it learned from, how the
// data were split, and where it should not be trusted. Its figures sit in the manifest's `metrics`.
import { z } from "zod";

export const ZModelCardSchema = z.object({
  intendedUse: z.string(),
  trainingData: z.array(
    z.looseObject({
      dataset: z.string(),
      /** Recordings, windows, patients or subjects: whichever the dataset counts. */
      records: z.number().int().optional(),
      subjects: z.number().int().optional(),
      labels: z.string().optional(),
    }),
  ),
  split: z.string(),
  knownLimits: z.array(z.string()),
});
export type TModelCard = z.infer<typeof ZModelCardSchema>;
