// Server-only. One stored ECG strip of a patient, with the beats the QRS detector finds in it, for the
// strip viewer. Samples go out as integer microvolts (as stored), which keeps a 30 s strip near 30 KB.
import { z } from "zod";
import { getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import { detectQrs, MAX_QRS_SAMPLE_RATE_HZ, MIN_QRS_SAMPLE_RATE_HZ } from "../detect/qrs";
import { AppError } from "../errors/app-error";

export const ZEcgStripIdSchema = z.uuid();

export type TEcgStripView = {
  id: string;
  patientId: string;
  recordedAt: string;
  sampleRateHz: number;
  samplesUv: number[];
  beatTimesS: number[];
  heartRateBpm: number | null;
  isUsable: boolean;
  signalToNoise: number | null;
  /** The ECG model's reading of this strip, when it answered a request. */
  classification: { label: string; confidence: number; modelVersion: string } | null;
};

const ZClassificationSchema = z.object({ label: z.string(), confidence: z.number(), modelVersion: z.string() });

export async function getEcgStrip(options: { db: TDb; actor: TActor; patientId: string; stripId: string }): Promise<TEcgStripView> {
  const { db } = options;
  const patient = await getPatientForActorOrThrow({ db, actor: options.actor, patientId: options.patientId, action: "ecg_strip.read" });
  const notFound = () => new AppError("NOT_FOUND", { message: "ECG strip not found" });
  if (!ZEcgStripIdSchema.safeParse(options.stripId).success) throw notFound();
  const strip = await db.ecgStrip.findFirst({
    where: { id: options.stripId, patientId: patient.id },
    select: { id: true, patientId: true, recordedAt: true, sampleRateHz: true, samples: true },
  });
  if (!strip) throw notFound();
  const bytes = Buffer.from(strip.samples);
  const samplesUv = new Array<number>(Math.floor(bytes.length / 2));
  const samplesMv = new Float32Array(samplesUv.length);
  for (let index = 0; index < samplesUv.length; index += 1) {
    const uv = bytes.readInt16LE(index * 2);
    samplesUv[index] = uv;
    samplesMv[index] = uv / 1000;
  }
  const canDetect = strip.sampleRateHz >= MIN_QRS_SAMPLE_RATE_HZ && strip.sampleRateHz <= MAX_QRS_SAMPLE_RATE_HZ && samplesMv.length > strip.sampleRateHz;
  const detection = canDetect ? detectQrs({ samples: samplesMv, sampleRateHz: strip.sampleRateHz }) : null;
  const request = await db.ecgRequest.findFirst({ where: { stripId: strip.id, patientId: patient.id }, select: { result: true } });
  const classification = ZClassificationSchema.safeParse(request?.result);
  return {
    id: strip.id,
    patientId: strip.patientId,
    recordedAt: strip.recordedAt.toISOString(),
    sampleRateHz: strip.sampleRateHz,
    samplesUv,
    beatTimesS: detection?.beatTimesS.map((timeS) => Math.round(timeS * 1000) / 1000) ?? [],
    heartRateBpm: detection?.heartRateBpm === null || detection === null ? null : Math.round(detection.heartRateBpm * 10) / 10,
    isUsable: detection?.quality.usable ?? false,
    signalToNoise: detection?.quality.signalToNoise === undefined ? null : Math.round(detection.quality.signalToNoise * 100) / 100,
    classification: classification.success ? classification.data : null,
  };
}
