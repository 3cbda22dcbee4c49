import { readFileSync } from "node:fs";

// A recording file that cannot be read as what it claims to be. Carries the file so a command-line
// user (a hospital bringing its own recordings) sees which file failed and why.
export class DatasetFormatError extends Error {
  readonly file: string;

  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = "DatasetFormatError";
    this.file = file;
  }
}

export function isDatasetFormatError(value: unknown): value is DatasetFormatError {
  return value instanceof Error && value.name === "DatasetFormatError" && typeof (value as { file?: unknown }).file === "string";
}

/** A dataset's text file (REFERENCE.csv, RECORDS, ...), or a DatasetFormatError saying it is missing. */
export function readDatasetText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw new DatasetFormatError(file, "file not found");
  }
}
