// Real CGM traces: reading the Glucose-ML CSVs (refusing malformed ones with the line), de-duplication
// and sorting, the forecast examples' gap and warm-up rules, the subject split. The real-data tests read
// PULSEGUARD_DATA_DIR (CI: ../shared/data) and are skipped without it; a few seconds with it.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { isDatasetFormatError, listCgmSubjects, locateDatasetOrThrow, readCgmCsv, type TCgmReading } from "@/lib/datasets";
import { alignReadingsToGrid } from "@/lib/glucose-forecast/align-readings";
import { createRealForecastExamples, getMedianReadingIntervalMin, SENSOR_WARM_UP_MIN } from "@/lib/glucose-forecast/create-real-forecast-examples";
import { getCgmSplit } from "@/lib/glucose-forecast/get-cgm-split";

const MINUTE_MS = 60_000;
const HEADER = "timestamp,glucose_value_mg_dl";

function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pulseguard-cgm-"));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function readError(file: string): Error {
  try {
    readCgmCsv(file);
  } catch (error) {
    if (isDatasetFormatError(error)) return error;
    throw error;
  }
  throw new Error("readCgmCsv accepted a malformed file");
}

describe("readCgmCsv", () => {
  it("refuses a wrong header, an unparsable timestamp or value, naming the file and the line", () => {
    const header = writeTemp("a.csv", "time,glucose\n2023-10-01 00:04:00,135\n");
    expect(readError(header).message).toMatch(/a\.csv: line 1 is not the header/);
    const timestamp = writeTemp("b.csv", `${HEADER}\n2023-10-01 00:04:00,135\n01/10/2023 00:09,140\n`);
    expect(readError(timestamp).message).toMatch(/b\.csv: line 3: timestamp "01\/10\/2023 00:09"/);
    const impossibleDate = writeTemp("c.csv", `${HEADER}\n2023-02-30 00:04:00,135\n`);
    expect(readError(impossibleDate).message).toMatch(/line 2: timestamp/);
    const value = writeTemp("d.csv", `${HEADER}\n2023-10-01 00:04:00,135\n2023-10-01 00:09:00,\n2023-10-01 00:14:00,abc\n`);
    expect(readError(value).message).toMatch(/d\.csv: line 3: glucose ""/);
    const cells = writeTemp("e.csv", `${HEADER}\n2023-10-01 00:04:00,135,1\n`);
    expect(readError(cells).message).toMatch(/line 2 has 3 cells/);
    const units = writeTemp("f.csv", `${HEADER}\n2023-10-01 00:04:00,7500\n`);
    expect(readError(units).message).toMatch(/line 2: glucose 7500 is not in mg\/dL/);
    expect(readError(path.join(os.tmpdir(), "pulseguard-no-such-file.csv")).message).toMatch(/file not found/);
  });

  it("sorts, keeps the first of duplicate timestamps, clips to 40..400 and drops impossible values", () => {
    const file = writeTemp(
      "s.csv",
      `\uFEFF${HEADER}\r\n2023-10-01 00:14:00,150\r\n2023-10-01 00:04:00,135.0\r\n2023-10-01 00:09:00,Low\r\n2023-10-01 00:04:00,135\r\n` +
        "2023-10-01 00:14:00,170\r\n2023-10-01 00:19:00,500.4\r\n2023-10-01 00:24:00,39.6\r\n2023-10-01 00:29:00,1.8\r\n2023-10-01 00:34:00,High\r\n\r\n",
    );
    const series = readCgmCsv(file);
    const start = Date.UTC(2023, 9, 1, 0, 4);
    expect(series.readings).toEqual([135, 40, 150, 400, 40, 400].map((glucoseMgDl, index) => ({ measuredAtMs: start + [0, 5, 10, 15, 20, 30][index]! * MINUTE_MS, glucoseMgDl })));
    expect(series).toMatchObject({ droppedDuplicates: 2, conflictingDuplicates: 1, droppedImplausible: 1, clipped: 4 });
  });

  it("lists subjects per dataset with their metadata", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "pulseguard-cgm-open-"));
    const files = path.join(root, "Demo", "Demo-extracted-glucose-files");
    mkdirSync(files, { recursive: true });
    writeFileSync(path.join(files, "Subject 2.csv"), `${HEADER}\n`);
    writeFileSync(path.join(files, "Subject 1.csv"), `${HEADER}\n`);
    writeFileSync(path.join(root, "Demo", "Demo-metadata.csv"), "\uFEFFperson_id,diabetes_type,age,gender,race_ethnicity,hba1c_%,CGM_type\nSubject 1,T1D,65,male,,7.2,Dexcom G6 Pro\n");
    expect(listCgmSubjects(root)).toEqual([
      { subjectId: "Demo/Subject 1", dataset: "Demo", file: path.join(files, "Subject 1.csv"), diabetesType: "T1D", age: "65", cgmDevice: "Dexcom G6 Pro" },
      { subjectId: "Demo/Subject 2", dataset: "Demo", file: path.join(files, "Subject 2.csv"), diabetesType: null, age: null, cgmDevice: null },
    ]);
  });
});

/** A 5-min trace from `fromMin` to `toMin` (minutes after the start), glucose a slow wave. */
function trace(fromMin: number, toMin: number, stepMin = 5): TCgmReading[] {
  const readings: TCgmReading[] = [];
  for (let minute = fromMin; minute <= toMin; minute += stepMin) readings.push({ measuredAtMs: minute * MINUTE_MS, glucoseMgDl: 140 + 40 * Math.sin(minute / 90) });
  return readings;
}

describe("real forecast examples", () => {
  it("never uses inputs or a target across a gap, nor a new sensor's first 2 h", () => {
    // 0-600 min, a 30-min gap (signal loss), 630-1200, a 3-h gap (a new sensor), 1380-2000.
    const readings = [...trace(0, 600), ...trace(630, 1200), ...trace(1380, 2000)];
    const examples = createRealForecastExamples({ readings });
    expect(examples.length).toBeGreaterThan(200);
    const spans = examples.map((example) => [example.atMs / MINUTE_MS - 60, example.targetAtMs / MINUTE_MS] as const);
    const crosses = (gapFrom: number, gapTo: number) => spans.filter(([from, to]) => from < gapTo && to > gapFrom);
    expect(crosses(600, 630)).toEqual([]);
    expect(crosses(1200, 1380)).toEqual([]);
    // The trace's start and the sensor change are both followed by a warm-up that feeds nothing.
    expect(spans.filter(([from]) => from < SENSOR_WARM_UP_MIN || (from > 1200 && from < 1380 + SENSOR_WARM_UP_MIN))).toEqual([]);
    // After a short gap the same sensor goes on: examples resume an hour later, not two.
    expect(spans.some(([from]) => from === 630)).toBe(true);
    for (const example of examples) expect(example.targetAtMs - example.atMs).toBe(30 * MINUTE_MS);
  });

  it("feeds the model exactly what the product's alignment computes from the same readings", () => {
    const readings = trace(0, 400).filter((reading) => reading.measuredAtMs !== 300 * MINUTE_MS);
    const examples = createRealForecastExamples({ readings });
    for (const example of examples) {
      const fetched = readings
        .filter((reading) => reading.measuredAtMs <= example.atMs && reading.measuredAtMs > example.atMs - 70 * MINUTE_MS)
        .map((reading) => ({ measuredAt: new Date(reading.measuredAtMs).toISOString(), glucoseMgDl: reading.glucoseMgDl }));
      const aligned = alignReadingsToGrid({ readings: fetched, nowMs: example.atMs });
      expect(aligned).toEqual({ readingsMgDl: example.input.readingsMgDl, latestAt: new Date(example.atMs).toISOString() });
    }
  });

  it("aligns a 15-min device onto the 5-min grid by interpolation, one example per reading", () => {
    const readings = trace(0, 900, 15);
    expect(getMedianReadingIntervalMin(readings)).toBe(15);
    const examples = createRealForecastExamples({ readings });
    expect(examples.length).toBe((900 - 30 - (SENSOR_WARM_UP_MIN + 60)) / 15 + 1);
    const [first] = examples;
    const g = first!.input.readingsMgDl;
    expect(g[1]).toBeCloseTo(g[0]! + (g[3]! - g[0]!) / 3, 9);
  });

  it("thins merged streams to one example per ~5 min", () => {
    const offset = trace(0, 600).map((reading) => ({ ...reading, measuredAtMs: reading.measuredAtMs + 2.5 * MINUTE_MS }));
    const merged = [...trace(0, 600), ...offset].sort((a, b) => a.measuredAtMs - b.measuredAtMs);
    const single = createRealForecastExamples({ readings: trace(0, 600) }).length;
    expect(createRealForecastExamples({ readings: merged }).length).toBeLessThanOrEqual(single + 1);
  });
});

describe("subject split", () => {
  it("is a fixed function of the subject id, about 60/20/20", () => {
    expect(getCgmSplit("AZT1D/Subject 1")).toBe(getCgmSplit("AZT1D/Subject 1"));
    const counts = { train: 0, validation: 0, test: 0 };
    for (let index = 0; index < 2000; index += 1) counts[getCgmSplit(`Demo/${index}`)] += 1;
    expect(counts.train / 2000).toBeCloseTo(0.6, 1);
    expect(counts.validation / 2000).toBeCloseTo(0.2, 1);
    expect(counts.test / 2000).toBeCloseTo(0.2, 1);
  });
});

const dataDir = getConfig().PULSEGUARD_DATA_DIR;

describe.skipIf(!dataDir)("real CGM traces (PULSEGUARD_DATA_DIR)", () => {
  it("reads one subject of every dataset: plausible mg/dL, sorted, 5- or 15-min readings", { timeout: 60_000 }, () => {
    const cgmDir = locateDatasetOrThrow({ dataDir: dataDir as string, dataset: "cgm" });
    const subjects = listCgmSubjects(cgmDir);
    const datasets = [...new Set(subjects.map((subject) => subject.dataset))];
    expect(datasets.length).toBeGreaterThanOrEqual(7);
    for (const dataset of datasets) {
      const subject = subjects.find((candidate) => candidate.dataset === dataset)!;
      const { readings } = readCgmCsv(subject.file);
      expect(readings.length, subject.subjectId).toBeGreaterThan(1000);
      let sum = 0;
      for (let index = 0; index < readings.length; index += 1) {
        const reading = readings[index]!;
        expect(reading.glucoseMgDl).toBeGreaterThanOrEqual(40);
        expect(reading.glucoseMgDl).toBeLessThanOrEqual(400);
        if (index > 0) expect(reading.measuredAtMs).toBeGreaterThan(readings[index - 1]!.measuredAtMs);
        sum += reading.glucoseMgDl;
      }
      const meanMgDl = sum / readings.length;
      expect(meanMgDl, subject.subjectId).toBeGreaterThan(80);
      expect(meanMgDl, subject.subjectId).toBeLessThan(250);
      expect([5, 15], subject.subjectId).toContain(getMedianReadingIntervalMin(readings));
      expect(createRealForecastExamples({ readings }).length, subject.subjectId).toBeGreaterThan(readings.length / 2);
    }
  });
});
