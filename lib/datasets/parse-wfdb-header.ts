// WFDB header (.hea) files as PhysioNet writes them (https://physionet.org/physiotools/wag/header-5.htm):
// a record line "name[/segments] nsig [fs[/counterfreq[(base)]] [nsamp [time [date]]]]", one line per
// signal "file format[xskew][:skew][+offset] [gain[(baseline)][/units] [adcres [adczero [init
// [checksum [blocksize [description]]]]]]]", and "#" comment lines (MIT-BIH: age, sex, medications).
import { DatasetFormatError } from "./dataset-format-error";

export const SUPPORTED_WFDB_FORMATS = [16, 212] as const;
export type TWfdbFormat = (typeof SUPPORTED_WFDB_FORMATS)[number];

export type TWfdbSignalSpec = {
  fileName: string;
  format: TWfdbFormat;
  /** Bytes to skip at the start of the signal file (the "+24" of a MATLAB v4 file's header). */
  byteOffset: number;
  /** ADC units per physical unit; WFDB's default 200 when the header gives 0 or nothing. */
  gain: number;
  baseline: number;
  units: string;
  adcZero: number;
  initialValue: number;
  /** 16-bit sum of the samples, when the header gives one. */
  checksum: number | null;
  description: string;
};

export type TWfdbHeader = {
  record: string;
  sampleRateHz: number;
  sampleCount: number;
  signals: TWfdbSignalSpec[];
  comments: string[];
};

const DEFAULT_GAIN = 200;
const DEFAULT_SAMPLE_RATE_HZ = 250;

function toNumber(text: string | undefined, file: string, what: string): number | undefined {
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new DatasetFormatError(file, `${what} "${text}" is not a number`);
  return value;
}

/** Parses a header's text; DatasetFormatError (naming `file`) for anything malformed or unsupported. */
export function parseWfdbHeader(text: string, file: string): TWfdbHeader {
  const comments: string[] = [];
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("#")) comments.push(line.slice(1).trim());
    else lines.push(line);
  }
  const recordLine = lines[0];
  if (!recordLine) throw new DatasetFormatError(file, "empty header: no record line");
  const fields = recordLine.split(/\s+/);
  const [nameField, signalCountField, frequencyField, sampleCountField] = fields;
  if (!nameField || nameField.includes("/")) throw new DatasetFormatError(file, "multi-segment records are not supported");
  const signalCount = toNumber(signalCountField, file, "signal count");
  if (signalCount === undefined || !Number.isInteger(signalCount) || signalCount < 1 || signalCount > 64) {
    throw new DatasetFormatError(file, `signal count "${signalCountField ?? ""}" is not an integer in 1-64`);
  }
  const sampleRateHz = toNumber(frequencyField?.split(/[/(]/)[0], file, "sampling frequency") ?? DEFAULT_SAMPLE_RATE_HZ;
  if (sampleRateHz <= 0) throw new DatasetFormatError(file, "sampling frequency must be positive");
  const sampleCount = toNumber(sampleCountField, file, "sample count");
  if (sampleCount === undefined || !Number.isInteger(sampleCount) || sampleCount < 1) {
    throw new DatasetFormatError(file, "the record line gives no sample count (needed to check the signal file's length)");
  }
  if (lines.length - 1 < signalCount) throw new DatasetFormatError(file, `declares ${signalCount} signals but has ${lines.length - 1} signal lines`);

  const signals = lines.slice(1, 1 + signalCount).map((line, index): TWfdbSignalSpec => {
    const parts = line.split(/\s+/);
    const [fileName, formatField, gainField, adcResField, adcZeroField, initField, checksumField, _blockSize, ...descriptionParts] = parts;
    void _blockSize;
    if (!fileName || !formatField) throw new DatasetFormatError(file, `signal ${index} line is incomplete`);
    const formatMatch = /^(\d+)(?:x\d+)?(?::\d+)?(?:\+(\d+))?$/.exec(formatField);
    if (!formatMatch) throw new DatasetFormatError(file, `signal ${index} format "${formatField}" is malformed`);
    const format = Number(formatMatch[1]);
    if (!(SUPPORTED_WFDB_FORMATS as readonly number[]).includes(format)) {
      throw new DatasetFormatError(file, `signal ${index} uses format ${format}; supported: ${SUPPORTED_WFDB_FORMATS.join(", ")}`);
    }
    const adcZero = toNumber(adcZeroField, file, "ADC zero") ?? 0;
    let gain = DEFAULT_GAIN;
    let baseline = adcZero;
    let units = "mV";
    if (gainField) {
      const gainMatch = /^([-+\d.eE]+)(?:\(([-+\d]+)\))?(?:\/(\S+))?$/.exec(gainField);
      if (!gainMatch) throw new DatasetFormatError(file, `signal ${index} gain "${gainField}" is malformed`);
      const parsedGain = Number(gainMatch[1]);
      if (!Number.isFinite(parsedGain)) throw new DatasetFormatError(file, `signal ${index} gain "${gainField}" is not a number`);
      if (parsedGain !== 0) gain = parsedGain;
      if (gainMatch[2] !== undefined) baseline = Number(gainMatch[2]);
      if (gainMatch[3] !== undefined) units = gainMatch[3];
    }
    void adcResField;
    return {
      fileName,
      format: format as TWfdbFormat,
      byteOffset: formatMatch[2] ? Number(formatMatch[2]) : 0,
      gain,
      baseline,
      units,
      adcZero,
      initialValue: toNumber(initField, file, "initial value") ?? adcZero,
      // CinC 2017 headers write 0 for "not computed"; a real sum of 0 loses only this one check.
      checksum: toNumber(checksumField, file, "checksum") || null,
      description: descriptionParts.join(" "),
    };
  });
  return { record: nameField, sampleRateHz, sampleCount, signals, comments };
}
