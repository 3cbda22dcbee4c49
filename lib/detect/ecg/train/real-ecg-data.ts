// Server-only. Real recordings as the ECG model's training and evaluation rows:
// - CinC 2017 (single-lead AliveCor, lead I, 300 Hz): one row per recording, labelled by the v3 reference
//   (N normal sinus, A AF, O other rhythm, ~ noise); training recordings longer than 40 s give a second row
//   (their first 30 s), since the product classifies the last 30 s of whatever it is sent.
// - MIT-BIH (two-lead Holter, first lead, 360 Hz): consecutive 30 s windows labelled from the reference
//   beat and rhythm annotations (labelMitdbWindow), the source of ventricular ectopy, which CinC lacks.
//
// Splits are fixed by rule, never by looking at results: CinC by record (the set has no patient ids), a
// stable hash of the record name; MIT-BIH by patient (201 and 202 together), stratified by how much
// ventricular ectopy each patient has so that the test split holds some. Test rows never reach training
// or model selection (the decision offsets are chosen on validation).
import { DatasetFormatError, listMitdbRecords, readCincReference, readMitdbRecord, readWfdbRecord, VENTRICULAR_ECTOPIC_SYMBOLS, type TCincLabel, type TMitdbRecord } from "../../../datasets";
import { ECG_CLASSES, type TEcgClass } from "../ecg-classes";
import { MODEL_DURATION_S, MODEL_INPUT_LENGTH, RR_FEATURE_COUNT } from "../ecg-input-spec";
import { preprocessEcgStrip } from "../preprocess-ecg-strip";
import { createEcgDataset, type TEcgDataset } from "./ecg-dataset";

export type TSplit = "train" | "validation" | "test";
export const SPLIT_RULE = {
  cinc: "FNV-1a hash of 'pulseguard-ecg-split/<record>' mod 100: 0-69 train, 70-79 validation, 80-99 test",
  mitdb: "patients sorted by ventricular ectopic beats (descending, then id); position mod 10: 2 and 7 test, 4 validation, the rest train; 201 and 202 are one patient",
} as const;

export const CINC_CLASS: Record<TCincLabel, TEcgClass> = { N: "normal_sinus", A: "atrial_fibrillation", O: "other_rhythm", "~": "noise" };

/** A window holds ventricular ectopy when it has at least this many ventricular ectopic beats: 3 in 30 s is 6 a minute, the usual line for "frequent" PVCs and the smallest count that can form a run. */
export const VE_WINDOW_MIN_BEATS = 3;
const WINDOW_SAMPLES_S = MODEL_DURATION_S;
const SECOND_CROP_MIN_S = 40;

/** FNV-1a, 32 bits: a stable hash of an id, so a record's split never depends on what else is in the folder. */
export function fnv1a(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index += 1) value = Math.imul(value ^ text.charCodeAt(index), 16777619);
  return value >>> 0;
}

export function getCincSplit(record: string): TSplit {
  const bucket = fnv1a(`pulseguard-ecg-split/${record}`) % 100;
  return bucket < 70 ? "train" : bucket < 80 ? "validation" : "test";
}

/** MIT-BIH patient -> split, from each patient's ventricular ectopic beat count over their records (SPLIT_RULE.mitdb). */
export function getMitdbSplits(records: readonly Pick<TMitdbRecord, "patient" | "beats">[]): Map<string, TSplit> {
  const veBeatsByPatient = new Map<string, number>();
  for (const record of records) {
    const veBeats = record.beats.filter((beat) => VENTRICULAR_ECTOPIC_SYMBOLS.has(beat.symbol)).length;
    veBeatsByPatient.set(record.patient, (veBeatsByPatient.get(record.patient) ?? 0) + veBeats);
  }
  const ordered = [...veBeatsByPatient.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return new Map(ordered.map(([patient], position) => [patient, position % 10 === 2 || position % 10 === 7 ? "test" : position % 10 === 4 ? "validation" : "train"]));
}

export type TMitdbWindowLabel = { ecgClass: TEcgClass | null; veBeats: number; reason: string };

/**
 * The class of the 30 s window [start, end) of a MIT-BIH record, or null for windows too ambiguous to
 * teach or score (1-2 ventricular ectopic beats; a rhythm change inside a mostly-sinus window). AF wins
 * over ectopy (the alert that matters more); atrial flutter, blocks, paced rhythm, bundle branch block,
 * nodal and supraventricular rhythms are "other", as CinC's annotators treated them.
 */
export function labelMitdbWindow(record: Pick<TMitdbRecord, "beats" | "rhythms">, startSample: number, endSample: number): TMitdbWindowLabel {
  const coverage = new Map<string, number>();
  for (const span of record.rhythms) {
    const overlap = Math.min(endSample, span.endSample) - Math.max(startSample, span.startSample);
    if (overlap > 0) coverage.set(span.rhythm, (coverage.get(span.rhythm) ?? 0) + overlap);
  }
  const length = endSample - startSample;
  const share = (rhythm: string) => (coverage.get(rhythm) ?? 0) / length;
  let veBeats = 0;
  let otherBeats = 0;
  for (const beat of record.beats) {
    if (beat.sample < startSample || beat.sample >= endSample) continue;
    if (VENTRICULAR_ECTOPIC_SYMBOLS.has(beat.symbol)) veBeats += 1;
    else if (beat.symbol !== "N") otherBeats += 1;
  }
  if (share("AFIB") >= 0.5) return { ecgClass: "atrial_fibrillation", veBeats, reason: "AFIB" };
  if (veBeats >= VE_WINDOW_MIN_BEATS) return { ecgClass: "ventricular_ectopy", veBeats, reason: `${veBeats} ventricular ectopic beats` };
  if (veBeats > 0) return { ecgClass: null, veBeats, reason: "1-2 ventricular ectopic beats" };
  const sinus = share("N") + share("SBR");
  if (sinus >= 0.999 && otherBeats === 0) return { ecgClass: "normal_sinus", veBeats, reason: "sinus rhythm, normal beats" };
  if (sinus >= 0.5 && otherBeats < 3) return { ecgClass: null, veBeats, reason: "mostly sinus with a few other beats or a rhythm change" };
  return { ecgClass: "other_rhythm", veBeats, reason: [...coverage.keys()].join("+") || "other beats" };
}

export type TRealRow = { source: "cinc2017" | "mitdb"; record: string; split: TSplit; ecgClass: TEcgClass; cincLabel?: TCincLabel; veBeats?: number; startS?: number };

/** Rows in `meta` order: dataset row i is meta[i]. */
export type TRealEcgData = { dataset: TEcgDataset; meta: TRealRow[]; heartRatesBpm: (number | null)[] };

type TProgress = (line: string) => void;

function store(data: { dataset: TEcgDataset; meta: TRealRow[]; heartRatesBpm: (number | null)[] }, row: TRealRow, samples: Float32Array, sampleRateHz: number) {
  const { signal, rrFeatures, heartRateBpm } = preprocessEcgStrip({ samples, sampleRateHz });
  const index = data.meta.length;
  data.dataset.signals.set(signal, index * MODEL_INPUT_LENGTH);
  data.dataset.rrFeatures.set(rrFeatures, index * RR_FEATURE_COUNT);
  data.dataset.labels[index] = ECG_CLASSES.indexOf(row.ecgClass);
  data.meta.push(row);
  data.heartRatesBpm.push(heartRateBpm);
}

function grow(data: TRealEcgData, extra: number): TRealEcgData {
  const dataset = createEcgDataset(data.meta.length + extra);
  dataset.signals.set(data.dataset.signals.subarray(0, data.meta.length * MODEL_INPUT_LENGTH));
  dataset.rrFeatures.set(data.dataset.rrFeatures.subarray(0, data.meta.length * RR_FEATURE_COUNT));
  dataset.labels.set(data.dataset.labels.subarray(0, data.meta.length));
  return { dataset, meta: data.meta, heartRatesBpm: data.heartRatesBpm };
}

function finish(data: TRealEcgData): TRealEcgData {
  const count = data.meta.length;
  return {
    dataset: { count, signals: data.dataset.signals.slice(0, count * MODEL_INPUT_LENGTH), rrFeatures: data.dataset.rrFeatures.slice(0, count * RR_FEATURE_COUNT), labels: data.dataset.labels.slice(0, count) },
    meta: data.meta,
    heartRatesBpm: data.heartRatesBpm,
  };
}

/**
 * Reads and preprocesses the real rows of the given splits. `augment` (training): a second crop (the first
 * 30 s) of long CinC recordings; shift, polarity and gain are drawn per batch (makeEcgBatch).
 */
export async function loadRealEcgData(options: { cincDir: string | null; mitdbDir: string | null; splits: readonly TSplit[]; augment: boolean; onProgress?: TProgress }): Promise<TRealEcgData> {
  const { splits, augment, onProgress } = options;
  let data: TRealEcgData = { dataset: createEcgDataset(0), meta: [], heartRatesBpm: [] };
  const t0 = performance.now();
  if (options.cincDir) {
    const references = readCincReference(options.cincDir).filter((reference) => splits.includes(getCincSplit(reference.record)));
    data = grow(data, references.length * (augment ? 2 : 1));
    let done = 0;
    let lastReport = performance.now();
    for (const reference of references) {
      const split = getCincSplit(reference.record);
      const recording = await readWfdbRecord({ recordPath: reference.recordPath });
      const samples = recording.signals[0];
      if (!samples) throw new DatasetFormatError(reference.recordPath, "has no signal");
      const row: TRealRow = { source: "cinc2017", record: reference.record, split, ecgClass: CINC_CLASS[reference.label], cincLabel: reference.label };
      store(data, row, samples, recording.sampleRateHz);
      if (augment && split === "train") {
        const durationS = samples.length / recording.sampleRateHz;
        if (durationS >= SECOND_CROP_MIN_S) store(data, { ...row, startS: 0 }, samples.subarray(0, WINDOW_SAMPLES_S * recording.sampleRateHz), recording.sampleRateHz);
      }
      done += 1;
      if (onProgress && performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        const rate = done / ((lastReport - t0) / 1000);
        onProgress(`CinC 2017: ${done}/${references.length} recordings (${rate.toFixed(0)}/s, ${((references.length - done) / rate).toFixed(0)} s left)`);
      }
    }
  }
  if (options.mitdbDir) {
    const records = await Promise.all(listMitdbRecords(options.mitdbDir).map((record) => readMitdbRecord({ datasetDir: options.mitdbDir!, record })));
    const patientSplits = getMitdbSplits(records);
    const windowSamples = (record: TMitdbRecord) => WINDOW_SAMPLES_S * record.sampleRateHz;
    data = grow(data, records.reduce((sum, record) => sum + Math.floor(record.ecgMv.length / windowSamples(record)) , 0));
    let windows = 0;
    for (const record of records) {
      const split = patientSplits.get(record.patient) as TSplit;
      if (!splits.includes(split)) continue;
      const size = windowSamples(record);
      for (let start = 0; start + size <= record.ecgMv.length; start += size) {
        const label = labelMitdbWindow(record, start, start + size);
        if (!label.ecgClass) continue;
        const row: TRealRow = { source: "mitdb", record: record.record, split, ecgClass: label.ecgClass, veBeats: label.veBeats, startS: start / record.sampleRateHz };
        store(data, row, record.ecgMv.subarray(start, start + size), record.sampleRateHz);
        windows += 1;
      }
    }
    onProgress?.(`MIT-BIH: ${windows} labelled 30 s windows from ${records.length} records`);
  }
  return finish(data);
}
