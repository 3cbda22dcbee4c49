// Server-only. One MIT-BIH Arrhythmia Database record: its first lead (MLII in all but two records,
// the lead closest to a single-lead wearable), the reference beats and the rhythm spans.
import { existsSync, readFile } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { DatasetFormatError, readDatasetText } from "./dataset-format-error";
import { parseWfdbAnnotations, QRS_SYMBOLS, toRhythmSpans, type TRhythmSpan, type TWfdbAnnotation } from "./parse-wfdb-annotations";
import { readWfdbRecord } from "./read-wfdb-record";

const readFileAsync = promisify(readFile);

/** Records 201 and 202 come from one patient (the database's documentation): splits keep them together. */
export const MITDB_SAME_PATIENT: Readonly<Record<string, string>> = { "202": "201" };

export type TMitdbRecord = {
  record: string;
  patient: string;
  sampleRateHz: number;
  leadName: string;
  /** The first lead in millivolts. */
  ecgMv: Float32Array;
  annotations: TWfdbAnnotation[];
  /** Reference beats (QRS annotations only), their sample indexes and symbols. */
  beats: { sample: number; symbol: string }[];
  rhythms: TRhythmSpan[];
};

/** The records listed in RECORDS that are present (reserved ones are absent on purpose). */
export function listMitdbRecords(datasetDir: string): string[] {
  const file = path.join(datasetDir, "RECORDS");
  const text = readDatasetText(file);
  return text.split(/\s+/).filter((name) => name !== "" && existsSync(path.join(datasetDir, `${name}.hea`)));
}

export async function readMitdbRecord(options: { datasetDir: string; record: string }): Promise<TMitdbRecord> {
  const recordPath = path.join(options.datasetDir, options.record);
  const wfdb = await readWfdbRecord({ recordPath });
  const atrFile = `${recordPath}.atr`;
  const bytes = await readFileAsync(atrFile).catch(() => {
    throw new DatasetFormatError(atrFile, "file not found (the reference annotations)");
  });
  const annotations = parseWfdbAnnotations(new Uint8Array(bytes), atrFile);
  const ecgMv = wfdb.signals[0] as Float32Array;
  return {
    record: wfdb.record,
    patient: MITDB_SAME_PATIENT[wfdb.record] ?? wfdb.record,
    sampleRateHz: wfdb.sampleRateHz,
    leadName: wfdb.signalNames[0] ?? "",
    ecgMv,
    annotations,
    beats: annotations.filter((annotation) => QRS_SYMBOLS.has(annotation.symbol)).map(({ sample, symbol }) => ({ sample, symbol })),
    rhythms: toRhythmSpans(annotations, ecgMv.length),
  };
}
