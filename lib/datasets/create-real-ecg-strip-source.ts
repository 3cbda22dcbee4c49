// Server-only (and CLI). Real single-lead strips for a simulated rhythm and rate, from the data directory:
//   normal_sinus        CinC 2017 N recordings with a detected rate of 50-100 bpm
//   tachycardia         CinC N and O recordings above 100 bpm (sinus tachycardia is rare among CinC's N
//                       recordings, ~1 %, and the cascade reads "tachycardia" from the rate of a sinus or
//                       "other" strip alike)
//   bradycardia         CinC N below 50 bpm, and MIT-BIH sinus windows (labelMitdbWindow: N or SBR
//                       rhythm, normal beats only) below 50 bpm by their reference beats
//   atrial_fibrillation CinC A
//   ventricular_ectopy  MIT-BIH 30 s windows with >= 3 ventricular ectopic beats (CinC has no such label)
//   noise               CinC ~
// A strip goes out at the recording's own rate (CinC 300 Hz, MIT-BIH 360 Hz), its first 30 s, or the
// whole recording when shorter. The pick is a seeded hash of the caller's key among the recordings whose
// rate is closest to the one asked for, so the same key always gives the same strip.
//
// The index needs each CinC recording's rate, i.e. QRS detection on all ~8,500 of them (~35 s on one
// core), and sinus tachycardia and bradycardia are too rare to find in a sample. So the whole set is
// indexed once and cached as JSON beside the extracted archives (.data/datasets), keyed by the archives'
// stamps (path, size, mtime) and INDEX_VERSION; later starts read the cache in milliseconds. MIT-BIH needs
// only its headers and annotations for the index. Only the strips actually sent are read in full.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { detectQrs } from "../detect/qrs";
import { fnv1a, getCincSplit, getMitdbSplits, labelMitdbWindow, type TSplit } from "../detect/ecg/train/real-ecg-data";
import { BRADYCARDIA_BELOW_BPM, TACHYCARDIA_ABOVE_BPM } from "../detect/rate-definitions";
import { ECG_RHYTHMS, type TEcgRhythm } from "../sim/ecg-rhythms";
import { DatasetFormatError } from "./dataset-format-error";
import { locateDataset } from "./locate-dataset";
import { parseWfdbAnnotations, QRS_SYMBOLS, toRhythmSpans } from "./parse-wfdb-annotations";
import { parseWfdbHeader } from "./parse-wfdb-header";
import { readCincReference, type TCincLabel } from "./read-cinc-reference";
import { listMitdbRecords, MITDB_SAME_PATIENT } from "./read-mitdb-record";
import { readWfdbRecord } from "./read-wfdb-record";

/** Bump when what the index holds or how it is computed changes: old cache files are then ignored. */
const INDEX_VERSION = 1;
const STRIP_DURATION_S = 30;
/** The device API refuses strips under 10 s (lib/detect/service/ecg-strip-upload.ts); CinC has a few 9 s recordings. */
const MIN_STRIP_S = 10;
/** Recordings within this many bpm of the asked rate are all candidates, and never fewer than MIN_CANDIDATES. */
const RATE_MATCH_BPM = 10;
const MIN_CANDIDATES = 12;
/** MIT-BIH records kept decoded (30 min at 360 Hz, ~5 MB each): a run of requests often hits the same few. */
const MITDB_RECORDS_KEPT = 4;

export const ZCreateRealEcgStripSourceOptionsSchema = z.object({
  dataDir: z.string().min(1),
  /** Draw only from these splits (real-ecg-data.ts SPLIT_RULE); all when absent. ["test"] for evaluations. */
  splits: z.array(z.enum(["train", "validation", "test"])).min(1).optional(),
  /** Where archives are extracted and the index is cached (default .data/datasets, as locateDataset). */
  cacheDir: z.string().optional(),
  /**
   * A small index for tests: at most this many CinC recordings per label (the first in REFERENCE.csv
   * order, after the split filter). Such an index is never cached.
   */
  cincPerLabelLimit: z.number().int().positive().optional(),
  onProgress: z.custom<(line: string) => void>((value) => typeof value === "function").optional(),
});
export type TCreateRealEcgStripSourceOptions = z.input<typeof ZCreateRealEcgStripSourceOptionsSchema>;

export type TRealStripEntry = {
  source: "cinc2017" | "mitdb";
  record: string;
  split: TSplit;
  /** CinC's reference label, or the MIT-BIH window's class. */
  label: string;
  startSample: number;
  sampleCount: number;
  sampleRateHz: number;
  /** Detected (CinC) or reference-beat (MIT-BIH) median rate of the strip sent; null when no beats were found. */
  rateBpm: number | null;
};

export type TRealEcgStrip = TRealStripEntry & {
  /** Millivolts. */
  samples: Float32Array;
  /** "cinc2017/A00001" or "mitdb/200@600s": which recording, never what it shows. */
  stripId: string;
};

export type TRealEcgStripSource = {
  /** Candidates per rhythm in the splits drawn from. */
  counts: Record<TEcgRhythm, number>;
  datasets: ("cinc2017" | "mitdb")[];
  splits: TSplit[];
  fromCache: boolean;
  indexMs: number;
  /** The recording a request gets, without reading it; null when the rhythm has no candidate. */
  pickEntry(options: { rhythm: TEcgRhythm; heartRateBpm: number; key: string }): TRealStripEntry | null;
  /** pickEntry, read and cut. */
  pickStrip(options: { rhythm: TEcgRhythm; heartRateBpm: number; key: string }): Promise<TRealEcgStrip | null>;
};

const ZIndexEntrySchema = z.object({
  source: z.enum(["cinc2017", "mitdb"]),
  record: z.string().regex(/^[A-Za-z0-9_-]+$/),
  split: z.enum(["train", "validation", "test"]),
  label: z.string(),
  startSample: z.number().int().min(0),
  sampleCount: z.number().int().positive(),
  sampleRateHz: z.number().positive(),
  rateBpm: z.number().nullable(),
});
const ZIndexFileSchema = z.object({ version: z.literal(INDEX_VERSION), key: z.string(), entries: z.array(ZIndexEntrySchema) });

const ALL_SPLITS: TSplit[] = ["train", "validation", "test"];

/** Which simulated rhythm a real strip stands for, or null when it stands for none (e.g. O at 70 bpm). */
export function getRhythmOfEntry(entry: Pick<TRealStripEntry, "source" | "label" | "rateBpm">): TEcgRhythm | null {
  const rate = entry.rateBpm;
  if (entry.source === "mitdb") {
    if (entry.label === "ventricular_ectopy") return "ventricular_ectopy";
    return entry.label === "normal_sinus" && rate !== null && rate < BRADYCARDIA_BELOW_BPM ? "bradycardia" : null;
  }
  const label = entry.label as TCincLabel;
  if (label === "~") return "noise";
  if (rate === null) return null;
  if (label === "A") return "atrial_fibrillation";
  if (rate > TACHYCARDIA_ABOVE_BPM) return label === "N" || label === "O" ? "tachycardia" : null;
  if (label !== "N") return null;
  return rate < BRADYCARDIA_BELOW_BPM ? "bradycardia" : "normal_sinus";
}

/**
 * Deterministic pick: the candidates of the rhythm ordered by distance to the asked rate (then by id),
 * those within RATE_MATCH_BPM (at least MIN_CANDIDATES), and among them the one the key hashes to. Noise
 * ignores the rate.
 */
export function pickRealStripEntry(options: { candidates: readonly TRealStripEntry[]; rhythm: TEcgRhythm; heartRateBpm: number; key: string }): TRealStripEntry | null {
  const { candidates, rhythm, heartRateBpm, key } = options;
  if (candidates.length === 0) return null;
  let pool = candidates;
  if (rhythm !== "noise") {
    const distance = (entry: TRealStripEntry) => Math.abs((entry.rateBpm ?? Number.POSITIVE_INFINITY) - heartRateBpm);
    const ordered = [...candidates].sort((a, b) => distance(a) - distance(b) || entryId(a).localeCompare(entryId(b)));
    const close = ordered.findIndex((entry) => distance(entry) > RATE_MATCH_BPM);
    pool = ordered.slice(0, Math.max(MIN_CANDIDATES, close === -1 ? ordered.length : close));
  }
  return pool[fnv1a(`real-ecg-strip/${rhythm}/${key}`) % pool.length] ?? null;
}

function entryId(entry: Pick<TRealStripEntry, "source" | "record" | "startSample" | "sampleRateHz">): string {
  return entry.source === "cinc2017" ? `cinc2017/${entry.record}` : `mitdb/${entry.record}@${Math.round(entry.startSample / entry.sampleRateHz)}s`;
}

/** What identifies an extracted dataset: locateDataset's marker (the archive's stamp), else the folder and its index file's mtime. */
function datasetStamp(dir: string, indexFile: string): string {
  const marker = path.join(dir, ".pulseguard-extracted.json");
  if (existsSync(marker)) return readFileSync(marker, "utf8");
  const file = path.join(dir, indexFile);
  return `${path.resolve(dir)}:${existsSync(file) ? statSync(file).mtimeMs : 0}`;
}

async function indexCinc(dir: string, options: { splits: TSplit[]; perLabelLimit?: number; onProgress?: (line: string) => void }): Promise<TRealStripEntry[]> {
  const taken = new Map<TCincLabel, number>();
  const references = readCincReference(dir).filter((reference) => {
    if (!options.splits.includes(getCincSplit(reference.record))) return false;
    if (options.perLabelLimit === undefined) return true;
    const count = taken.get(reference.label) ?? 0;
    taken.set(reference.label, count + 1);
    return count < options.perLabelLimit;
  });
  const entries: TRealStripEntry[] = [];
  let lastReportMs = performance.now();
  for (const [index, reference] of references.entries()) {
    const recording = await readWfdbRecord({ recordPath: reference.recordPath });
    const samples = recording.signals[0];
    if (!samples) throw new DatasetFormatError(reference.recordPath, "has no signal");
    const { sampleRateHz } = recording;
    if (samples.length < MIN_STRIP_S * sampleRateHz) continue;
    const sampleCount = Math.min(samples.length, STRIP_DURATION_S * sampleRateHz);
    // Noise strips are picked regardless of rate: no need to detect it.
    const rateBpm = reference.label === "~" ? null : detectQrs({ samples: samples.subarray(0, sampleCount), sampleRateHz }).heartRateBpm;
    entries.push({ source: "cinc2017", record: reference.record, split: getCincSplit(reference.record), label: reference.label, startSample: 0, sampleCount, sampleRateHz, rateBpm });
    if (options.onProgress && performance.now() - lastReportMs > 5_000) {
      lastReportMs = performance.now();
      options.onProgress(`real ECG strip index: CinC 2017 ${index + 1}/${references.length} recordings`);
    }
  }
  return entries;
}

/** MIT-BIH from headers and annotations only: window classes and rates come from the reference beats. */
async function indexMitdb(dir: string, splits: TSplit[]): Promise<TRealStripEntry[]> {
  const records = await Promise.all(
    listMitdbRecords(dir).map(async (record) => {
      const headerFile = path.join(dir, `${record}.hea`);
      const atrFile = path.join(dir, `${record}.atr`);
      const header = parseWfdbHeader(await readFile(headerFile, "utf8"), headerFile);
      const annotations = parseWfdbAnnotations(new Uint8Array(await readFile(atrFile)), atrFile);
      const beats = annotations.filter((annotation) => QRS_SYMBOLS.has(annotation.symbol)).map(({ sample, symbol }) => ({ sample, symbol }));
      return { record, patient: MITDB_SAME_PATIENT[record] ?? record, header, beats, rhythms: toRhythmSpans(annotations, header.sampleCount) };
    }),
  );
  // The same patient split as training (real-ecg-data.ts loadRealEcgData).
  const patientSplits = getMitdbSplits(records);
  const entries: TRealStripEntry[] = [];
  for (const record of records) {
    const split = patientSplits.get(record.patient) as TSplit;
    if (!splits.includes(split)) continue;
    const { sampleRateHz, sampleCount: recordLength } = record.header;
    const size = STRIP_DURATION_S * sampleRateHz;
    for (let start = 0; start + size <= recordLength; start += size) {
      const { ecgClass } = labelMitdbWindow(record, start, start + size);
      if (ecgClass !== "ventricular_ectopy" && ecgClass !== "normal_sinus") continue;
      const beatSamples = record.beats.filter((beat) => beat.sample >= start && beat.sample < start + size).map((beat) => beat.sample);
      const rrS = beatSamples.slice(1).map((sample, index) => (sample - beatSamples[index]!) / sampleRateHz).sort((a, b) => a - b);
      const rateBpm = rrS.length ? 60 / rrS[rrS.length >> 1]! : null;
      const entry: TRealStripEntry = { source: "mitdb", record: record.record, split, label: ecgClass, startSample: start, sampleCount: size, sampleRateHz, rateBpm };
      // Sinus windows are only kept for bradycardia; the other ~1,800 would never be drawn.
      if (getRhythmOfEntry(entry)) entries.push(entry);
    }
  }
  return entries;
}

/**
 * Indexes the data directory's CinC 2017 and MIT-BIH recordings (or reads the cached index) and returns
 * the source, or null when the directory holds neither dataset.
 */
export async function createRealEcgStripSource(options: TCreateRealEcgStripSourceOptions): Promise<TRealEcgStripSource | null> {
  const { dataDir, cacheDir, cincPerLabelLimit, onProgress } = ZCreateRealEcgStripSourceOptionsSchema.parse(options);
  const splits = options.splits ? [...new Set(options.splits)] : ALL_SPLITS;
  const started = performance.now();
  const cincDir = locateDataset({ dataDir, dataset: "cinc2017", cacheDir });
  const mitdbDir = locateDataset({ dataDir, dataset: "mitdb", cacheDir });
  if (!cincDir && !mitdbDir) return null;

  const cacheFolder = path.resolve(cacheDir ?? path.join(".data", "datasets"));
  const key = createHash("sha256")
    .update(JSON.stringify({ version: INDEX_VERSION, cinc: cincDir && datasetStamp(cincDir, "REFERENCE.csv"), mitdb: mitdbDir && datasetStamp(mitdbDir, "RECORDS") }))
    .digest("hex")
    .slice(0, 16);
  const cacheFile = path.join(cacheFolder, `real-ecg-strip-index-${key}.json`);
  const canCache = cincPerLabelLimit === undefined;
  let entries: TRealStripEntry[] | null = null;
  let fromCache = false;
  if (canCache && existsSync(cacheFile)) {
    const parsed = ZIndexFileSchema.safeParse(JSON.parse(readFileSync(cacheFile, "utf8")) as unknown);
    // A cache that does not parse (an older layout, a torn write) is rebuilt, not trusted.
    if (parsed.success && parsed.data.key === key) {
      entries = parsed.data.entries.filter((entry) => splits.includes(entry.split));
      fromCache = true;
    }
  }
  if (!entries) {
    // A cached index always covers every split, so one file serves the simulator and the evaluation.
    const indexSplits = canCache ? ALL_SPLITS : splits;
    const all = [...(cincDir ? await indexCinc(cincDir, { splits: indexSplits, perLabelLimit: cincPerLabelLimit, onProgress }) : []), ...(mitdbDir ? await indexMitdb(mitdbDir, indexSplits) : [])];
    if (canCache) {
      mkdirSync(cacheFolder, { recursive: true, mode: 0o700 });
      // Written aside and renamed, so a concurrent reader sees the old file or the whole new one.
      const staging = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(staging, JSON.stringify({ version: INDEX_VERSION, key, entries: all }));
      renameSync(staging, cacheFile);
    }
    entries = all.filter((entry) => splits.includes(entry.split));
  }

  const byRhythm = new Map<TEcgRhythm, TRealStripEntry[]>();
  for (const entry of entries) {
    const rhythm = getRhythmOfEntry(entry);
    if (!rhythm) continue;
    byRhythm.set(rhythm, [...(byRhythm.get(rhythm) ?? []), entry]);
  }
  const counts = Object.fromEntries(ECG_RHYTHMS.map((rhythm) => [rhythm, byRhythm.get(rhythm)?.length ?? 0])) as Record<TEcgRhythm, number>;

  const mitdbSignals = new Map<string, Promise<Float32Array>>();
  const readSignal = async (entry: TRealStripEntry): Promise<Float32Array> => {
    if (entry.source === "cinc2017") {
      const recording = await readWfdbRecord({ recordPath: path.join(cincDir!, entry.record) });
      return recording.signals[0]!;
    }
    let signal = mitdbSignals.get(entry.record);
    if (!signal) {
      // The first lead, as readMitdbRecord and training use it (MLII in all but two records).
      signal = readWfdbRecord({ recordPath: path.join(mitdbDir!, entry.record) }).then((recording) => recording.signals[0]!);
      mitdbSignals.set(entry.record, signal);
      if (mitdbSignals.size > MITDB_RECORDS_KEPT) mitdbSignals.delete(mitdbSignals.keys().next().value!);
      signal.catch(() => mitdbSignals.delete(entry.record));
    }
    return signal;
  };

  const pickEntry: TRealEcgStripSource["pickEntry"] = ({ rhythm, heartRateBpm, key: pickKey }) => pickRealStripEntry({ candidates: byRhythm.get(rhythm) ?? [], rhythm, heartRateBpm, key: pickKey });
  return {
    counts,
    datasets: [...(cincDir ? (["cinc2017"] as const) : []), ...(mitdbDir ? (["mitdb"] as const) : [])],
    splits,
    fromCache,
    indexMs: performance.now() - started,
    pickEntry,
    async pickStrip(request) {
      const entry = pickEntry(request);
      if (!entry) return null;
      const signal = await readSignal(entry);
      // slice, not subarray: the caller may keep the strip while the record's buffer is dropped from the cache.
      return { ...entry, samples: signal.slice(entry.startSample, entry.startSample + entry.sampleCount), stripId: entryId(entry) };
    },
  };
}
