// Server-only. Reads a WFDB record (header + signal file, format 16 or 212, including CinC 2017's .mat
// signal files) or a lone MATLAB v4 .mat into physical units.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { DatasetFormatError } from "./dataset-format-error";
import { decodeWfdbSamples, readMatV4, wfdbChecksum } from "./decode-wfdb-signals";
import { parseWfdbHeader, type TWfdbHeader } from "./parse-wfdb-header";

export type TWfdbRecord = {
  record: string;
  sampleRateHz: number;
  header: TWfdbHeader;
  /** One array per signal, in the header's units (millivolts for ECG). */
  signals: Float32Array[];
  signalNames: string[];
};

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unreadable";
    throw new DatasetFormatError(file, code === "ENOENT" ? "file not found" : `cannot be read (${code})`);
  }
}

function toPhysical(samples: Int16Array, gain: number, baseline: number): Float32Array {
  const physical = new Float32Array(samples.length);
  for (let index = 0; index < samples.length; index += 1) physical[index] = ((samples[index] as number) - baseline) / gain;
  return physical;
}

/** `recordPath`: the record's path with or without extension (`.../100`, `.../A00001.hea`, `.../A00001.mat`). */
export async function readWfdbRecord(options: { recordPath: string; sampleRateHz?: number }): Promise<TWfdbRecord> {
  const extension = path.extname(options.recordPath).toLowerCase();
  const base = [".hea", ".mat", ".dat"].includes(extension) ? options.recordPath.slice(0, -extension.length) : options.recordPath;
  const headerFile = `${base}.hea`;
  const headerText = await readFile(headerFile, "utf8").catch(() => null);
  if (headerText === null) {
    if (extension === ".mat") return readLoneMat(options.recordPath, options.sampleRateHz);
    throw new DatasetFormatError(headerFile, "file not found (a WFDB record needs its .hea header)");
  }
  const header = parseWfdbHeader(headerText, headerFile);
  const directory = path.dirname(headerFile);
  // Signals that share a file are interleaved in it, in header order.
  const byFile = new Map<string, number[]>();
  header.signals.forEach((signal, index) => byFile.set(signal.fileName, [...(byFile.get(signal.fileName) ?? []), index]));
  const signals: Float32Array[] = new Array(header.signals.length);
  for (const [fileName, indexes] of byFile) {
    const first = header.signals[indexes[0] as number]!;
    if (indexes.some((index) => header.signals[index]!.format !== first.format || header.signals[index]!.byteOffset !== first.byteOffset)) {
      throw new DatasetFormatError(headerFile, `signals in ${fileName} mix formats or offsets`);
    }
    if (fileName.includes("/") || fileName.includes("\\")) throw new DatasetFormatError(headerFile, `signal file "${fileName}" must sit beside the header`);
    const file = path.join(directory, fileName);
    const bytes = await readBytes(file);
    const decoded = decodeWfdbSamples({ bytes: bytes.subarray(first.byteOffset), format: first.format, signalCount: indexes.length, sampleCount: header.sampleCount, file });
    indexes.forEach((signalIndex, position) => {
      const spec = header.signals[signalIndex]!;
      const samples = decoded[position] as Int16Array;
      if (spec.checksum !== null && wfdbChecksum(samples) !== spec.checksum) {
        throw new DatasetFormatError(file, `signal ${signalIndex} fails its header checksum (corrupt or truncated file)`);
      }
      signals[signalIndex] = toPhysical(samples, spec.gain, spec.baseline);
    });
  }
  return { record: header.record, sampleRateHz: header.sampleRateHz, header, signals, signalNames: header.signals.map((signal) => signal.description) };
}

async function readLoneMat(file: string, sampleRateHz: number | undefined): Promise<TWfdbRecord> {
  if (sampleRateHz === undefined) throw new DatasetFormatError(file, "a .mat without its .hea header needs the sampling rate (--sample-rate-hz)");
  const matrix = readMatV4(await readBytes(file), file);
  // One row per signal (PhysioNet's layout), samples along the columns; units unknown without a header,
  // so the CinC/AliveCor gain (1000 adu/mV) is assumed for integer data.
  const gain = matrix.data instanceof Float64Array || matrix.data instanceof Float32Array ? 1 : 1000;
  const signals = Array.from({ length: matrix.rows }, (_, row) => {
    const samples = new Float32Array(matrix.columns);
    for (let column = 0; column < matrix.columns; column += 1) samples[column] = (matrix.data[column * matrix.rows + row] as number) / gain;
    return samples;
  });
  const record = path.basename(file, ".mat");
  const header: TWfdbHeader = { record, sampleRateHz, sampleCount: matrix.columns, signals: [], comments: [] };
  return { record, sampleRateHz, header, signals, signalNames: signals.map(() => "") };
}
