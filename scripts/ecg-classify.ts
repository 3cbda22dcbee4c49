// Classifies ECG recordings with the served model, as a hospital would check its own data:
//   npm run ecg:classify -- <record or directory>... [--sample-rate-hz 300] [--model-dir DIR]
//
// A record is a WFDB record (NAME.hea with its signal file, formats 16 and 212, including .mat signal
// files) or a lone MATLAB v4 .mat (then --sample-rate-hz is needed). A directory is searched (not
// recursively) for records. The first signal of each record is classified. Recordings of up to 120 s are
// one strip, as the server classifies them (the last 30 s); longer ones (Holter records) are cut into
// consecutive 30 s strips whose results are summarised on the recording's line.
//
// Prints one JSON line per recording to stdout ({"record","label","confidence","probabilities",
// "heartRateBpm","modelVersion"}, plus "strips" and "stripLabels" for long recordings), then a summary to
// stderr. A file that cannot be read is reported with the reason on stderr and the exit code is 1.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { isDatasetFormatError, readWfdbRecord } from "../lib/datasets";
import { loadEcgClassifier } from "../lib/detect/ecg";
import { ECG_CLASSES, type TEcgClass, type TEcgClassification, type TEcgLabel } from "../lib/detect/ecg/ecg-classes";
import { MAX_INPUT_DURATION_S, MODEL_DURATION_S } from "../lib/detect/ecg/ecg-input-spec";
import { isAppError } from "../lib/errors";

const { values, positionals } = parseArgs({ options: { "sample-rate-hz": { type: "string" }, "model-dir": { type: "string" }, help: { type: "boolean", default: false } }, allowPositionals: true, strict: true });
const options = z.object({ "sample-rate-hz": z.coerce.number().positive().max(10_000).optional(), "model-dir": z.string().optional(), help: z.boolean() }).parse(values);
if (options.help || positionals.length === 0) {
  console.error("usage: npm run ecg:classify -- <record or directory>... [--sample-rate-hz HZ] [--model-dir DIR]");
  process.exit(positionals.length === 0 && !options.help ? 2 : 0);
}

/** Record paths (without extension, or the .mat) for each argument; a missing path is an error line. */
function expand(argument: string): string[] {
  const resolved = path.resolve(argument);
  let isDirectory = false;
  try {
    isDirectory = statSync(resolved).isDirectory();
  } catch {
    return [resolved];
  }
  if (!isDirectory) return [resolved];
  const names = readdirSync(resolved).sort();
  const headers = new Set(names.filter((name) => name.endsWith(".hea")).map((name) => name.slice(0, -4)));
  const loneMats = names.filter((name) => name.endsWith(".mat") && !headers.has(name.slice(0, -4)));
  return [...[...headers].map((name) => path.join(resolved, name)), ...loneMats.map((name) => path.join(resolved, name))];
}

const records = positionals.flatMap(expand);
if (records.length === 0) {
  console.error(`no WFDB (.hea) or .mat records in ${positionals.join(", ")}`);
  process.exit(1);
}
const classifier = await loadEcgClassifier({ modelDir: options["model-dir"] });
const startedAt = performance.now();
const labelCounts = new Map<TEcgLabel, number>();
let failures = 0;
let modelVersion = "";

function summarise(strips: TEcgClassification[]) {
  const counts = new Map<TEcgLabel, number>();
  for (const strip of strips) counts.set(strip.label, (counts.get(strip.label) ?? 0) + 1);
  const [label] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const ofLabel = strips.filter((strip) => strip.label === label);
  const probabilities = Object.fromEntries(ECG_CLASSES.map((name) => [name, round(strips.reduce((sum, strip) => sum + strip.probabilities[name], 0) / strips.length)])) as Record<TEcgClass, number>;
  const rates = strips.map((strip) => strip.heartRateBpm).filter((rate): rate is number => rate !== null).sort((a, b) => a - b);
  return {
    label,
    confidence: round(ofLabel.reduce((sum, strip) => sum + strip.confidence, 0) / ofLabel.length),
    probabilities,
    heartRateBpm: rates.length > 0 ? rates[Math.floor(rates.length / 2)]! : null,
    strips: strips.length,
    stripLabels: Object.fromEntries(counts),
  };
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;

for (const recordPath of records) {
  const name = path.basename(recordPath).replace(/\.(hea|mat|dat)$/, "");
  try {
    const recording = await readWfdbRecord({ recordPath, sampleRateHz: options["sample-rate-hz"] });
    const samples = recording.signals[0];
    if (!samples) throw new Error(`${recordPath}: the record has no signal`);
    const durationS = samples.length / recording.sampleRateHz;
    let line: Record<string, unknown>;
    if (durationS <= MAX_INPUT_DURATION_S) {
      const result = await classifier.classify({ samples, sampleRateHz: recording.sampleRateHz });
      line = { record: name, label: result.label, confidence: round(result.confidence), probabilities: Object.fromEntries(Object.entries(result.probabilities).map(([key, value]) => [key, round(value)])), heartRateBpm: result.heartRateBpm, modelVersion: result.modelVersion };
      modelVersion = result.modelVersion;
    } else {
      const size = Math.round(MODEL_DURATION_S * recording.sampleRateHz);
      const strips: TEcgClassification[] = [];
      for (let start = 0; start + size <= samples.length; start += size) strips.push(await classifier.classify({ samples: samples.subarray(start, start + size), sampleRateHz: recording.sampleRateHz }));
      modelVersion = strips[0]!.modelVersion;
      line = { record: name, ...summarise(strips), modelVersion };
    }
    labelCounts.set(line.label as TEcgLabel, (labelCounts.get(line.label as TEcgLabel) ?? 0) + 1);
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } catch (error) {
    failures += 1;
    const reason = isDatasetFormatError(error) ? error.message : isAppError(error) ? `${recordPath}: ${error.message}${error.fields ? ` (${error.fields.map((field) => `${field.path}: ${field.message}`).join("; ")})` : ""}` : `${recordPath}: ${(error as Error).message}`;
    console.error(`error: ${reason}`);
  }
}
await classifier.close();
const classified = records.length - failures;
const mix = [...labelCounts.entries()].sort((a, b) => b[1] - a[1]).map(([label, count]) => `${label} ${count}`).join(", ");
console.error(`classified ${classified} of ${records.length} recordings with ${modelVersion || "the served model"} in ${((performance.now() - startedAt) / 1000).toFixed(1)} s${mix ? `: ${mix}` : ""}${failures > 0 ? `; ${failures} failed` : ""}`);
process.exit(failures > 0 ? 1 : 0);
