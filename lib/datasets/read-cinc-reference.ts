// Server-only. The CinC 2017 reference labels (REFERENCE.csv: "record,label", v3 relabelling).
import path from "node:path";
import { DatasetFormatError, readDatasetText } from "./dataset-format-error";

export const CINC_LABELS = ["N", "A", "O", "~"] as const;
export type TCincLabel = (typeof CINC_LABELS)[number];
export type TCincRecord = { record: string; label: TCincLabel; recordPath: string };

export function readCincReference(datasetDir: string): TCincRecord[] {
  const file = path.join(datasetDir, "REFERENCE.csv");
  const text = readDatasetText(file);
  const records: TCincRecord[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    const [record, label] = line.trim().split(",");
    if (!record || !/^[A-Za-z0-9_-]+$/.test(record) || !(CINC_LABELS as readonly string[]).includes(label ?? "")) {
      throw new DatasetFormatError(file, `line ${index + 1} is not "record,label" with a label in ${CINC_LABELS.join(" ")}`);
    }
    // The reserved records are absent from the folder on purpose: keep only what is here.
    const recordPath = path.join(datasetDir, record);
    records.push({ record, label: label as TCincLabel, recordPath });
  });
  return records;
}
