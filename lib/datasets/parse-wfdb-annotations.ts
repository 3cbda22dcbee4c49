// WFDB annotation files in MIT format (.atr; https://physionet.org/physiotools/wag/annot-5.htm): a
// stream of little-endian 16-bit words, the top 6 bits a code and the low 10 a time step, with pseudo-
// codes for long skips (SKIP), the annotation's auxiliary text (AUX: rhythm changes such as "(AFIB"),
// and subtype/channel/number fields.
import { DatasetFormatError } from "./dataset-format-error";

const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;

/** ecgcodes.h mnemonics, by code. */
const MNEMONICS: Record<number, string> = {
  1: "N", 2: "L", 3: "R", 4: "a", 5: "V", 6: "F", 7: "J", 8: "A", 9: "S", 10: "E", 11: "j", 12: "/", 13: "Q", 14: "~",
  16: "|", 18: "s", 19: "T", 20: "*", 21: "D", 22: '"', 23: "=", 24: "p", 25: "B", 26: "^", 27: "t", 28: "+", 29: "u",
  30: "?", 31: "!", 32: "[", 33: "]", 34: "e", 35: "n", 36: "@", 37: "x", 38: "f", 39: "(", 40: ")", 41: "r",
};

/** Beat (QRS) annotation symbols, as WFDB's isqrs() defines them. */
export const QRS_SYMBOLS: ReadonlySet<string> = new Set(["N", "L", "R", "a", "V", "F", "J", "A", "S", "E", "j", "/", "Q", "e", "n", "f", "r", "B"]);
/** Ventricular ectopic beats (AAMI class V: PVC and R-on-T; ventricular escape beats E). */
export const VENTRICULAR_ECTOPIC_SYMBOLS: ReadonlySet<string> = new Set(["V", "r", "E"]);

export type TWfdbAnnotation = {
  sample: number;
  symbol: string;
  subtype: number;
  channel: number;
  aux: string;
};

export function parseWfdbAnnotations(bytes: Uint8Array, file: string): TWfdbAnnotation[] {
  if (bytes.byteLength % 2 !== 0) throw new DatasetFormatError(file, "odd length: an MIT-format annotation file is made of 16-bit words");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const annotations: TWfdbAnnotation[] = [];
  let time = 0;
  let channel = 0;
  let offset = 0;
  let sawEnd = false;
  while (offset + 2 <= bytes.byteLength) {
    const word = view.getUint16(offset, true);
    offset += 2;
    const code = word >> 10;
    const value = word & 0x3ff;
    if (code === 0 && value === 0) {
      sawEnd = true;
      break;
    }
    const last = annotations[annotations.length - 1];
    if (code === SKIP) {
      if (offset + 4 > bytes.byteLength) throw new DatasetFormatError(file, "truncated in a SKIP");
      // PDP-11 long: high 16 bits first.
      const skip = (view.getInt16(offset, true) << 16) | view.getUint16(offset + 2, true);
      time += skip;
      offset += 4;
    } else if (code === NUM) {
      continue;
    } else if (code === SUB) {
      if (last) last.subtype = value;
    } else if (code === CHN) {
      channel = value;
      if (last) last.channel = value;
    } else if (code === AUX) {
      const padded = value + (value % 2);
      if (offset + padded > bytes.byteLength) throw new DatasetFormatError(file, "truncated in an AUX string");
      if (last) last.aux = new TextDecoder("latin1").decode(bytes.subarray(offset, offset + value)).replace(/\0+$/, "");
      offset += padded;
    } else if (code === 0) {
      // NOTQRS with a time step: advances time without an annotation of interest.
      time += value;
    } else {
      time += value;
      annotations.push({ sample: time, symbol: MNEMONICS[code] ?? `#${code}`, subtype: 0, channel, aux: "" });
    }
  }
  if (!sawEnd) throw new DatasetFormatError(file, "truncated: no end-of-file marker");
  return annotations;
}

export type TRhythmSpan = { rhythm: string; startSample: number; endSample: number };

/** Rhythm spans from the '+' annotations' aux text ("(N", "(AFIB", ...), the last one running to `sampleCount`. */
export function toRhythmSpans(annotations: readonly TWfdbAnnotation[], sampleCount: number): TRhythmSpan[] {
  const spans: TRhythmSpan[] = [];
  for (const annotation of annotations) {
    if (annotation.symbol !== "+" || !annotation.aux.startsWith("(")) continue;
    const previous = spans[spans.length - 1];
    if (previous) previous.endSample = annotation.sample;
    spans.push({ rhythm: annotation.aux.slice(1).trim(), startSample: annotation.sample, endSample: sampleCount });
  }
  return spans;
}
