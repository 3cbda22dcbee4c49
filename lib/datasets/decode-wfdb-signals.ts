// Sample decoding for the two WFDB formats PulseGuard's recordings use:
// - 212: two 12-bit two's-complement samples packed in three bytes (MIT-BIH), signals interleaved;
// - 16: little-endian int16, signals interleaved (PhysioNet's .mat-wrapped CinC records and most exports).
import { DatasetFormatError } from "./dataset-format-error";
import type { TWfdbFormat } from "./parse-wfdb-header";

/** Decodes `sampleCount` frames of `signalCount` interleaved signals; one Int16Array per signal. */
export function decodeWfdbSamples(options: {
  bytes: Uint8Array;
  format: TWfdbFormat;
  signalCount: number;
  sampleCount: number;
  file: string;
}): Int16Array[] {
  const { bytes, format, signalCount, sampleCount, file } = options;
  const total = signalCount * sampleCount;
  const needed = format === 16 ? 2 * total : Math.ceil((3 * total) / 2);
  if (bytes.byteLength < needed) {
    throw new DatasetFormatError(file, `truncated: ${bytes.byteLength} bytes of samples, the header's ${sampleCount} samples x ${signalCount} signals need ${needed}`);
  }
  const signals = Array.from({ length: signalCount }, () => new Int16Array(sampleCount));
  if (format === 16) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, needed);
    for (let index = 0; index < total; index += 1) {
      (signals[index % signalCount] as Int16Array)[Math.floor(index / signalCount)] = view.getInt16(2 * index, true);
    }
    return signals;
  }
  for (let index = 0; index < total; index += 1) {
    const base = 3 * (index >> 1);
    const middle = bytes[base + 1] as number;
    let value = index % 2 === 0 ? (bytes[base] as number) | ((middle & 0x0f) << 8) : (bytes[base + 2] as number) | ((middle & 0xf0) << 4);
    if (value > 2047) value -= 4096;
    (signals[index % signalCount] as Int16Array)[Math.floor(index / signalCount)] = value;
  }
  return signals;
}

/** WFDB's checksum: the 16-bit two's-complement sum of a signal's samples. */
export function wfdbChecksum(samples: Int16Array): number {
  let sum = 0;
  for (let index = 0; index < samples.length; index += 1) sum = (sum + (samples[index] as number)) & 0xffff;
  return sum >= 0x8000 ? sum - 0x10000 : sum;
}

export type TMatV4Matrix = { name: string; rows: number; columns: number; dataOffset: number; data: Int16Array | Float64Array | Float32Array | Int32Array };

const MAT_V4_PRECISIONS: Record<number, { bytes: number; read: (view: DataView, offset: number) => number; make: (length: number) => Int16Array | Float64Array | Float32Array | Int32Array }> = {
  0: { bytes: 8, read: (view, offset) => view.getFloat64(offset, true), make: (length) => new Float64Array(length) },
  1: { bytes: 4, read: (view, offset) => view.getFloat32(offset, true), make: (length) => new Float32Array(length) },
  2: { bytes: 4, read: (view, offset) => view.getInt32(offset, true), make: (length) => new Int32Array(length) },
  3: { bytes: 2, read: (view, offset) => view.getInt16(offset, true), make: (length) => new Int16Array(length) },
};

/**
 * The first matrix of a MATLAB v4 (.mat) file (20-byte header: type MOPT, rows, columns, imaginary flag,
 * name length; then the name and the column-major data). Little-endian real matrices only.
 */
export function readMatV4(bytes: Uint8Array, file: string): TMatV4Matrix {
  if (bytes.byteLength < 20) throw new DatasetFormatError(file, `truncated: ${bytes.byteLength} bytes, a MATLAB v4 header needs 20`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getInt32(0, true);
  const rows = view.getInt32(4, true);
  const columns = view.getInt32(8, true);
  const imaginary = view.getInt32(12, true);
  const nameLength = view.getInt32(16, true);
  // MOPT: M machine (0 little-endian IEEE), O 0, P precision, T 0 numeric full matrix.
  const machine = Math.floor(type / 1000);
  const precision = Math.floor(type / 10) % 10;
  const kind = type % 10;
  if (type < 0 || type > 4999 || Math.floor(type / 100) % 10 !== 0) throw new DatasetFormatError(file, "not a MATLAB v4 file (MAT v5 and later files are not supported)");
  if (machine !== 0) throw new DatasetFormatError(file, "only little-endian MATLAB v4 files are supported");
  if (kind !== 0 || imaginary !== 0) throw new DatasetFormatError(file, "only real numeric full matrices are supported");
  const spec = MAT_V4_PRECISIONS[precision];
  if (!spec) throw new DatasetFormatError(file, `MATLAB v4 precision ${precision} is not supported`);
  if (rows < 1 || columns < 1 || nameLength < 1 || nameLength > 64) throw new DatasetFormatError(file, "malformed MATLAB v4 header");
  const dataOffset = 20 + nameLength;
  const count = rows * columns;
  const needed = dataOffset + count * spec.bytes;
  if (bytes.byteLength < needed) throw new DatasetFormatError(file, `truncated: ${bytes.byteLength} bytes, the ${rows}x${columns} matrix needs ${needed}`);
  const name = new TextDecoder().decode(bytes.subarray(20, dataOffset - 1));
  const data = spec.make(count);
  for (let index = 0; index < count; index += 1) data[index] = spec.read(view, dataOffset + index * spec.bytes);
  return { name, rows, columns, dataOffset, data };
}
