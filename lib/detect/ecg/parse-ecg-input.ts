import { z } from "zod";
import { AppError, zodIssuesToFields } from "../../errors";
import { MAX_INPUT_DURATION_S, MAX_INPUT_SAMPLE_RATE_HZ, MIN_INPUT_DURATION_S, MIN_INPUT_SAMPLE_RATE_HZ } from "./ecg-input-spec";

// Checked before anything is copied or posted to a worker: an absurd length is refused on its length
// alone. Non-finite samples are refused rather than repaired: a strip with gaps is a device fault the
// caller should see, not something to classify.
export const ZEcgInputSchema = z
  .object({
    samples: z
      .instanceof(Float32Array, { message: "Expected a Float32Array of millivolts" })
      .refine((samples) => samples.length > 0, { message: "Expected at least one sample", abort: true })
      .refine((samples) => samples.length <= MAX_INPUT_DURATION_S * MAX_INPUT_SAMPLE_RATE_HZ, { message: "Too many samples", abort: true })
      .refine((samples) => samples.every((value) => Number.isFinite(value)), "Samples must be finite numbers"),
    sampleRateHz: z.number().int().min(MIN_INPUT_SAMPLE_RATE_HZ).max(MAX_INPUT_SAMPLE_RATE_HZ),
  })
  .superRefine((input, context) => {
    const durationS = input.samples.length / input.sampleRateHz;
    if (durationS < MIN_INPUT_DURATION_S || durationS > MAX_INPUT_DURATION_S) {
      context.addIssue({
        code: "custom",
        path: ["samples"],
        message: `Strip must last ${MIN_INPUT_DURATION_S}-${MAX_INPUT_DURATION_S} s at the given sample rate`,
      });
    }
  });
export type TEcgInput = z.infer<typeof ZEcgInputSchema>;

/** The classifier's input, or AppError VALIDATION_FAILED with the offending fields. */
export function parseEcgInput(input: unknown): TEcgInput {
  const parsed = ZEcgInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError("VALIDATION_FAILED", { message: "Invalid ECG strip", fields: zodIssuesToFields(parsed.error) });
  }
  return parsed.data;
}
