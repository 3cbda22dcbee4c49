import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import {
  DatasetFormatError,
  decodeWfdbSamples,
  locateDataset,
  parseWfdbAnnotations,
  parseWfdbHeader,
  readCincReference,
  readMatV4,
  readWfdbRecord,
  toRhythmSpans,
  wfdbChecksum,
} from "@/lib/datasets";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/ecg");

/** One MIT-format annotation word: 6-bit code, 10-bit time step. */
const word = (code: number, value: number) => [(code << 10) | value];

function annotationBytes(words: number[], aux?: string): Uint8Array {
  const parts: number[] = [];
  for (const value of words) parts.push(value & 0xff, value >> 8);
  if (aux !== undefined) {
    parts.push(aux.length & 0xff, (63 << 10) >> 8 | (aux.length >> 8));
    for (const char of aux) parts.push(char.charCodeAt(0));
    if (aux.length % 2 === 1) parts.push(0);
  }
  return Uint8Array.from(parts);
}

describe("WFDB headers", () => {
  it("reads the record line, gains, baselines, offsets and comments", () => {
    const header = parseWfdbHeader("100 2 360 650000\n100.dat 212 200(1000)/mV 11 1024 995 -22131 0 MLII\n100.dat 212 200 11 1024 1011 20052 0 V5\n# 69 M 1085 1629 x1\n", "100.hea");
    expect(header).toMatchObject({ record: "100", sampleRateHz: 360, sampleCount: 650000, comments: ["69 M 1085 1629 x1"] });
    expect(header.signals[0]).toMatchObject({ fileName: "100.dat", format: 212, gain: 200, baseline: 1000, adcZero: 1024, checksum: -22131, description: "MLII" });
    // Without a baseline in parentheses WFDB takes the ADC zero.
    expect(header.signals[1]).toMatchObject({ baseline: 1024, description: "V5" });
    expect(parseWfdbHeader("A00001 1 300 9000\nA00001.mat 16+24 1000/mV 16 0 -127 0 0 ECG\n", "A00001.hea").signals[0]).toMatchObject({ format: 16, byteOffset: 24, gain: 1000, checksum: null });
  });

  it("refuses what it cannot read, naming the file", () => {
    expect(() => parseWfdbHeader("", "empty.hea")).toThrow(/empty\.hea: empty header/);
    expect(() => parseWfdbHeader("x 1 360 100\nx.dat 80 200 11 0 0 0 0 I\n", "x.hea")).toThrow(/format 80; supported: 16, 212/);
    expect(() => parseWfdbHeader("x 2 360 100\nx.dat 16 200 11 0 0 0 0 I\n", "x.hea")).toThrow(/declares 2 signals but has 1/);
    expect(() => parseWfdbHeader("x 1 360\nx.dat 16\n", "x.hea")).toThrow(/no sample count/);
    expect(() => parseWfdbHeader("x 1 abc 100\nx.dat 16\n", "x.hea")).toThrow(DatasetFormatError);
  });
});

describe("signal formats", () => {
  it("decodes format 212 pairs, negative values included, and format 16", () => {
    // -5 and 2047 for signal 0 and 1 of one frame: 0xFFB, 0x7FF -> bytes FB, (F | 7<<4), FF.
    const bytes212 = Uint8Array.from([0xfb, 0x7f, 0xff]);
    const [a, b] = decodeWfdbSamples({ bytes: bytes212, format: 212, signalCount: 2, sampleCount: 1, file: "t.dat" });
    expect([a![0], b![0]]).toEqual([-5, 2047]);
    const bytes16 = new Uint8Array(Int16Array.from([1, -2, 300, -400]).buffer);
    const [first, second] = decodeWfdbSamples({ bytes: bytes16, format: 16, signalCount: 2, sampleCount: 2, file: "t.dat" });
    expect([...first!]).toEqual([1, 300]);
    expect([...second!]).toEqual([-2, -400]);
    expect(wfdbChecksum(Int16Array.from([30000, 30000]))).toBe(60000 - 65536);
  });

  it("refuses truncated signal files", () => {
    expect(() => decodeWfdbSamples({ bytes: new Uint8Array(5), format: 212, signalCount: 2, sampleCount: 2, file: "t.dat" })).toThrow(/t\.dat: truncated: 5 bytes/);
    expect(() => readMatV4(new Uint8Array(10), "t.mat")).toThrow(/t\.mat: truncated/);
    const header = new Uint8Array(readFileSync(path.join(FIXTURES, "A00264.mat")).subarray(0, 200));
    expect(() => readMatV4(header, "short.mat")).toThrow(/short\.mat: truncated: 200 bytes, the 1x3000 matrix needs 6024/);
    expect(() => readMatV4(Uint8Array.from([...new Uint8Array(new Int32Array([1000, 1, 1, 0, 2]).buffer), 65, 0, 0, 0, 0, 0, 0, 0, 0, 0]), "be.mat")).toThrow(/little-endian/);
  });
});

describe("MIT annotations", () => {
  it("reads beats, time steps, SKIP and rhythm changes with their aux text", () => {
    const words = [
      ...word(1, 100), // N at 100
      ...word(59, 0), 0x0001, 0x0000, // SKIP 65,536 (high word first)
      ...word(5, 20), // V at 100 + 65536 + 20
      ...word(28, 10), // '+' rhythm change
    ];
    const bytes = Uint8Array.from([...annotationBytes(words, "(AFIB"), 0, 0]);
    const annotations = parseWfdbAnnotations(bytes, "t.atr");
    expect(annotations.map(({ sample, symbol, aux }) => [sample, symbol, aux])).toEqual([
      [100, "N", ""],
      [65656, "V", ""],
      [65666, "+", "(AFIB"],
    ]);
    expect(toRhythmSpans(annotations, 70_000)).toEqual([{ rhythm: "AFIB", startSample: 65666, endSample: 70_000 }]);
  });

  it("refuses a file without its end marker or cut inside an aux string", () => {
    expect(() => parseWfdbAnnotations(annotationBytes(word(1, 5)), "cut.atr")).toThrow(/cut\.atr: truncated: no end-of-file marker/);
    expect(() => parseWfdbAnnotations(Uint8Array.from([1, 4, 9, 0xfc, 65]), "odd.atr")).toThrow(/odd length/);
  });
});

describe("the committed real-ECG fixtures", () => {
  it("reads a CinC recording in format 16, one as CinC ships it (MATLAB v4) and MIT-BIH format 212", async () => {
    const dat = await readWfdbRecord({ recordPath: path.join(FIXTURES, "A00250") });
    expect(dat.sampleRateHz).toBe(300);
    expect(dat.signals[0]!.length).toBe(3000);
    const mat = await readWfdbRecord({ recordPath: path.join(FIXTURES, "A00264.mat") });
    expect(mat.signals[0]!.length).toBe(3000);
    // AliveCor: QRS amplitudes of a few tenths of a millivolt to ~2 mV.
    const peak = Math.max(...mat.signals[0]!.map(Math.abs));
    expect(peak).toBeGreaterThan(0.2);
    expect(peak).toBeLessThan(5);
    const lone = await readWfdbRecord({ recordPath: path.join(FIXTURES, "A00264.mat"), sampleRateHz: 300 });
    expect(lone.signals[0]).toEqual(mat.signals[0]);
    const mit = await readWfdbRecord({ recordPath: path.join(FIXTURES, "101s") });
    expect(mit.signalNames).toEqual(["MLII", "V1"]);
    expect(mit.signals.map((signal) => signal.length)).toEqual([3600, 3600]);
  });

  describe("damaged copies", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), "wfdb-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("a truncated signal file, a failed checksum and a missing header are errors that name the file", async () => {
      copyFileSync(path.join(FIXTURES, "101s.hea"), path.join(dir, "101s.hea"));
      writeFileSync(path.join(dir, "101s.dat"), readFileSync(path.join(FIXTURES, "101s.dat")).subarray(0, 5000));
      await expect(readWfdbRecord({ recordPath: path.join(dir, "101s") })).rejects.toThrow(/101s\.dat: truncated/);
      const flipped = readFileSync(path.join(FIXTURES, "101s.dat"));
      flipped[3000] = (flipped[3000] as number) ^ 0x10;
      writeFileSync(path.join(dir, "101s.dat"), flipped);
      await expect(readWfdbRecord({ recordPath: path.join(dir, "101s") })).rejects.toThrow(/fails its header checksum/);
      await expect(readWfdbRecord({ recordPath: path.join(dir, "absent") })).rejects.toThrow(/absent\.hea: file not found/);
      writeFileSync(path.join(dir, "lone.mat"), readFileSync(path.join(FIXTURES, "A00264.mat")));
      await expect(readWfdbRecord({ recordPath: path.join(dir, "lone.mat") })).rejects.toThrow(/needs the sampling rate/);
    });
  });
});

// The published archives, when a data directory is configured (CI sets PULSEGUARD_DATA_DIR).
const dataDir = getConfig().PULSEGUARD_DATA_DIR;
describe.skipIf(!dataDir)("the CinC 2017 archive", () => {
  it("locates the recordings (zip or folder) and reads every label and a recording of each", async () => {
    const cinc = locateDataset({ dataDir: dataDir!, dataset: "cinc2017" });
    expect(cinc).not.toBeNull();
    const references = readCincReference(cinc!);
    expect(references.length).toBeGreaterThan(5000);
    for (const label of ["N", "A", "O", "~"] as const) {
      const reference = references.find((candidate) => candidate.label === label)!;
      const recording = await readWfdbRecord({ recordPath: reference.recordPath });
      expect(recording.sampleRateHz).toBe(300);
      const durationS = recording.signals[0]!.length / 300;
      expect(durationS).toBeGreaterThanOrEqual(9);
      expect(durationS).toBeLessThanOrEqual(61);
    }
  });
});
