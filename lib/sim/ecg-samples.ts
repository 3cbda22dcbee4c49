// The storage format of EcgStrip.samples: little-endian int16 microvolts. 1 uV resolution is far below
// ECG noise, and +-32.767 mV covers any front end's range (a wrist ECG saturates at a few mV).
import { AppError } from "../errors";

const MIN_SAMPLE_UV = -32_768;
const MAX_SAMPLE_UV = 32_767;

/** Millivolts to little-endian int16 microvolts, rounded and clamped; non-finite values become 0. */
export function encodeEcgSamples(samples: Float32Array): Buffer {
  const buffer = Buffer.alloc(samples.length * 2);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  for (let index = 0; index < samples.length; index += 1) {
    const microvolts = Math.round((samples[index] as number) * 1000);
    const clamped = Number.isFinite(microvolts) ? Math.min(MAX_SAMPLE_UV, Math.max(MIN_SAMPLE_UV, microvolts)) : 0;
    view.setInt16(index * 2, clamped, true);
  }
  return buffer;
}

/** Little-endian int16 microvolts back to millivolts. */
export function decodeEcgSamples(buffer: Uint8Array): Float32Array {
  if (buffer.byteLength % 2 !== 0) throw new AppError("INTERNAL", { message: "ECG samples must be whole int16 values" });
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const samples = new Float32Array(buffer.byteLength / 2);
  for (let index = 0; index < samples.length; index += 1) samples[index] = view.getInt16(index * 2, true) / 1000;
  return samples;
}
