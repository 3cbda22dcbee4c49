// Server-only. Real CGM traces in the Glucose-ML standardised layout (the cgm-open folder):
// <Dataset>/<Dataset>-extracted-glucose-files/<subject>.csv with "timestamp,glucose_value_mg_dl" rows, and
// <Dataset>/<Dataset>-metadata.csv (diabetes type, age, device) per dataset.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { DatasetFormatError, readDatasetText } from "./dataset-format-error";

export type TCgmReading = { measuredAtMs: number; glucoseMgDl: number };

export type TCgmSubject = {
  /** `<dataset>/<file stem>`: stable across machines, so the train/validation/test split can hash it. */
  subjectId: string;
  dataset: string;
  file: string;
  diabetesType: string | null;
  age: string | null;
  cgmDevice: string | null;
};

export type TCgmSeries = {
  readings: TCgmReading[];
  /** Rows whose timestamp an earlier row already had (the first row is kept). */
  droppedDuplicates: number;
  /** Of those, rows that disagreed with the kept value. */
  conflictingDuplicates: number;
  /** Values a sensor cannot have measured (below 20 mg/dL, e.g. 1.8 mg/dL = 0.1 mmol/L placeholders), dropped. */
  droppedImplausible: number;
  /** Readings raised to 40 or lowered to 400 mg/dL (including the devices' "Low" and "High"). */
  clipped: number;
};

const HEADER = "timestamp,glucose_value_mg_dl";
// The product's CGM range (lib/glucose-forecast/features.ts): Dexcom G4/G6 report 40..400 mg/dL and
// "Low"/"High" outside it; FreeStyle Libre reports 40..500 (Libre 2 in mmol/L: 2.2..27.8, so 39.6 and
// 500.4 mg/dL after conversion). Readings are clipped to 40..400 rather than dropped: a "Low" is a real
// low, and dropping it would hide exactly the lows a forecast must see. The forecast input accepts
// 40..400 only, so clipping here gives the model what the product would feed it.
const MIN_REPORTED_MG_DL = 40;
const MAX_REPORTED_MG_DL = 400;
/** Below this no CGM reports a value; such rows are unit or export artefacts, not lows. */
const MIN_PLAUSIBLE_MG_DL = 20;
/** Above this a value is not mg/dL at all (a wrong column or unit): the file is refused. */
const MAX_PLAUSIBLE_MG_DL = 1000;
const DEVICE_FLAGS: Record<string, number> = { low: MIN_REPORTED_MG_DL, lo: MIN_REPORTED_MG_DL, high: MAX_REPORTED_MG_DL, hi: MAX_REPORTED_MG_DL };

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const NUMBER = /^[0-9]+(\.[0-9]+)?$/;

/**
 * Local wall-clock time as if it were UTC. The files carry no time zone; only intervals matter to the
 * forecast (it has no time-of-day feature), and reading wall-clock as UTC keeps them exact except
 * across a daylight-saving change, where the gap rules treat the jump like any other gap.
 */
function parseTimestampMs(text: string): number | null {
  const match = TIMESTAMP.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  // Date.UTC rolls 2023-02-30 over into March; a timestamp that does not round-trip is not a date.
  if (back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  return ms;
}

/** One subject's readings, sorted by time, one per timestamp, clipped to 40..400 mg/dL. */
export function readCgmCsv(file: string): TCgmSeries {
  const lines = readDatasetText(file).replace(/^\uFEFF/, "").split(/\r?\n/);
  if ((lines[0] ?? "").trim() !== HEADER) throw new DatasetFormatError(file, `line 1 is not the header "${HEADER}"`);
  const rows: (TCgmReading & { line: number })[] = [];
  let droppedImplausible = 0;
  let clipped = 0;
  for (let index = 1; index < lines.length; index += 1) {
    const line = (lines[index] as string).trim();
    if (line === "") continue;
    const lineNumber = index + 1;
    const cells = line.split(",");
    if (cells.length !== 2) throw new DatasetFormatError(file, `line ${lineNumber} has ${cells.length} cells, not "timestamp,glucose_value_mg_dl"`);
    const measuredAtMs = parseTimestampMs((cells[0] as string).trim());
    if (measuredAtMs === null) throw new DatasetFormatError(file, `line ${lineNumber}: timestamp "${cells[0]}" is not YYYY-MM-DD HH:MM[:SS]`);
    const valueText = (cells[1] as string).trim();
    const flag = DEVICE_FLAGS[valueText.toLowerCase()];
    let glucoseMgDl: number;
    if (flag !== undefined) {
      glucoseMgDl = flag;
      clipped += 1;
    } else {
      if (!NUMBER.test(valueText)) throw new DatasetFormatError(file, `line ${lineNumber}: glucose "${valueText}" is not a number of mg/dL`);
      glucoseMgDl = Number(valueText);
      if (glucoseMgDl > MAX_PLAUSIBLE_MG_DL) throw new DatasetFormatError(file, `line ${lineNumber}: glucose ${glucoseMgDl} is not in mg/dL (above ${MAX_PLAUSIBLE_MG_DL})`);
      if (glucoseMgDl < MIN_PLAUSIBLE_MG_DL) {
        droppedImplausible += 1;
        continue;
      }
      if (glucoseMgDl < MIN_REPORTED_MG_DL || glucoseMgDl > MAX_REPORTED_MG_DL) {
        glucoseMgDl = Math.min(MAX_REPORTED_MG_DL, Math.max(MIN_REPORTED_MG_DL, glucoseMgDl));
        clipped += 1;
      }
    }
    rows.push({ measuredAtMs, glucoseMgDl, line: lineNumber });
  }
  // Stable sort: of rows sharing a timestamp, the first in the file is kept.
  rows.sort((a, b) => a.measuredAtMs - b.measuredAtMs || a.line - b.line);
  const readings: TCgmReading[] = [];
  let droppedDuplicates = 0;
  let conflictingDuplicates = 0;
  for (const row of rows) {
    const previous = readings[readings.length - 1];
    if (previous && previous.measuredAtMs === row.measuredAtMs) {
      droppedDuplicates += 1;
      if (previous.glucoseMgDl !== row.glucoseMgDl) conflictingDuplicates += 1;
      continue;
    }
    readings.push({ measuredAtMs: row.measuredAtMs, glucoseMgDl: row.glucoseMgDl });
  }
  return { readings, droppedDuplicates, conflictingDuplicates, droppedImplausible, clipped };
}

/** The cells of one CSV line, with RFC 4180 double-quoted cells (Bris-T1D lists "Dexcom One, Medtronic Guardian 4"). */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (quoted && char === '"' && line[index + 1] === '"') {
      cell += '"';
      index += 1;
    } else if (char === '"') quoted = !quoted;
    else if (char === "," && !quoted) {
      cells.push(cell);
      cell = "";
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}

/** A small CSV reader for the metadata files (one row per person, quoted cells allowed). */
function readMetadata(file: string): Map<string, Record<string, string>> {
  const byPerson = new Map<string, Record<string, string>>();
  if (!existsSync(file)) return byPerson;
  const lines = readFileSync(file, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "").map((cell) => cell.trim());
  for (const line of lines.slice(1)) {
    if (line.trim() === "") continue;
    const cells = splitCsvLine(line);
    const row = Object.fromEntries(header.map((name, index) => [name, (cells[index] ?? "").trim()]));
    if (row.person_id) byPerson.set(row.person_id, row);
  }
  return byPerson;
}

/** Every subject file of every dataset under the cgm-open folder, sorted by subject id. */
export function listCgmSubjects(cgmDir: string): TCgmSubject[] {
  if (!existsSync(cgmDir) || !statSync(cgmDir).isDirectory()) throw new DatasetFormatError(cgmDir, "is not a folder");
  const subjects: TCgmSubject[] = [];
  for (const dataset of readdirSync(cgmDir).sort()) {
    const filesDir = path.join(cgmDir, dataset, `${dataset}-extracted-glucose-files`);
    if (!existsSync(filesDir) || !statSync(filesDir).isDirectory()) continue;
    const metadata = readMetadata(path.join(cgmDir, dataset, `${dataset}-metadata.csv`));
    for (const name of readdirSync(filesDir).sort()) {
      if (!name.toLowerCase().endsWith(".csv")) continue;
      const stem = name.slice(0, -".csv".length);
      const row = metadata.get(stem);
      subjects.push({
        subjectId: `${dataset}/${stem}`,
        dataset,
        file: path.join(filesDir, name),
        diabetesType: row?.diabetes_type || null,
        age: row?.age || null,
        cgmDevice: row?.CGM_type || null,
      });
    }
  }
  if (subjects.length === 0) throw new DatasetFormatError(cgmDir, "holds no <Dataset>/<Dataset>-extracted-glucose-files/*.csv");
  return subjects;
}
