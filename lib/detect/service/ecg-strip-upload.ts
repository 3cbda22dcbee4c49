// The strip a watch sends back when asked: single lead, int16 little-endian microvolts (the storage
// format of EcgStrip.samples), at most a minute.
import { z } from "zod";

export const ECG_UPLOAD_MAX_SECONDS = 60;
const ECG_UPLOAD_MIN_SECONDS = 10;

export const ZEcgStripUploadSchema = z
  .strictObject({
    requestId: z.uuid(),
    recordedAt: z.iso.datetime({ offset: true }),
    sampleRateHz: z.number().int().min(100).max(1000),
    samplesLe16: z.instanceof(Uint8Array),
  })
  .superRefine((value, context) => {
    const bytes = value.samplesLe16.byteLength;
    const seconds = bytes / 2 / value.sampleRateHz;
    if (bytes % 2 !== 0) context.addIssue({ code: "custom", path: ["samplesLe16"], message: "must hold whole int16 samples" });
    else if (seconds < ECG_UPLOAD_MIN_SECONDS || seconds > ECG_UPLOAD_MAX_SECONDS) {
      context.addIssue({ code: "custom", path: ["samplesLe16"], message: `must hold ${ECG_UPLOAD_MIN_SECONDS}-${ECG_UPLOAD_MAX_SECONDS} s of samples` });
    }
  });
export type TEcgStripUpload = z.infer<typeof ZEcgStripUploadSchema>;

export type TEcgRequestMessage = { requestId: string; durationS: number; sampleRateHz: number };
export type TEcgStripAck = { requestId: string; stripId: string; status: "stored" | "duplicate" };
