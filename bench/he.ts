// Encrypted glucose forecast benchmark: the server's evaluation through the real HE worker pool (one
// worker, so one core), the plaintext model on the same inputs in the same run as the baseline, the
// bytes a client uploads, the error of the encrypted result, and process memory over 2,000 requests.
//   npm run bench:he [-- --requests 2000 --warmup 50]
// Prints progress, a summary with the machine it ran on, PASS/MISS per target, and last a RESULT line.
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { computeForecastFeatures } from "../lib/glucose-forecast/features";
import { createForecastExamples } from "../lib/glucose-forecast/create-forecast-examples";
import { predictGlucoseLinear } from "../lib/glucose-forecast/linear-model";
import { loadForecastWeights } from "../lib/glucose-forecast/model-files";
import { HELD_OUT_DATA } from "../lib/glucose-forecast/train-forecast-model";
import { createForecastEvaluator } from "../lib/he/create-forecast-evaluator";
import { createHeClient } from "../lib/he/create-he-client";
import { fingerprintKeySet } from "../lib/he/fingerprint-key-set";
import { createHeEvalPool } from "../lib/he/he-eval-pool";
import { createSealInstance, loadSeal } from "../lib/he/load-seal";
import { HE_PARAMS } from "../lib/he/params";
import { describeMachine } from "./lib/machine";
import { formatBytes, formatTable, percentile } from "./lib/stats";

const TARGET_EVAL_P50_MS = 25;
const TARGET_UPLOAD_BYTES = 256 * 1024;
const TARGET_MAX_ERROR_MG_DL = 0.01;
const TARGET_RSS_GROWTH_MB = 50;

const { values } = parseArgs({ options: { requests: { type: "string" }, warmup: { type: "string" } } });
const options = z
  .object({ requests: z.coerce.number().int().min(10).max(100_000).default(2_000), warmup: z.coerce.number().int().min(0).max(10_000).default(50) })
  .parse(values);

// USER_HZ: the unit of utime/stime in /proc; 100 on every mainstream Linux build.
const CLOCK_TICKS_PER_S = 100;
/** CPU time of the calling thread (user + system), ms; null where /proc/thread-self is missing. */
function readThreadCpuMs(): number | null {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
const rssMb = () => {
  gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
};
const sorted = (values: number[]) => Float64Array.from(values).sort();
const ms = (value: number) => Number(value.toFixed(3));

const machine = describeMachine();
console.log(`machine: ${machine.cpuModel} x${machine.cores}, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.platform}`);
// The machine may be shared: say how busy it was, since latency percentiles move with it.
console.log(`load average at start: ${os.loadavg().map((value) => value.toFixed(2)).join(" ")}`);
console.log(`params ${HE_PARAMS.id}; ${options.requests} requests after ${options.warmup} warm-up${gc ? "" : " (run with --expose-gc for steadier memory figures)"}`);

const { weights } = loadForecastWeights();
// Realistic inputs: a held-out virtual patient's days, every reading a forecast.
const examples = createForecastExamples({ seedPrefix: HELD_OUT_DATA.seedPrefix, patients: 1, days: Math.ceil((options.requests + options.warmup) / 280) + 1 });
const featureRows = examples.slice(0, options.requests + options.warmup).map((example) => computeForecastFeatures(example.input));

const seal = await loadSeal();
const client = createHeClient({ seal });
let startedAt = performance.now();
const galoisKeys = client.createEvaluationKeys();
const keyGenMs = performance.now() - startedAt;
const keyFingerprint = await fingerprintKeySet({ paramsId: HE_PARAMS.id, galoisKeys });
console.log(`client: evaluation keys generated in ${keyGenMs.toFixed(0)} ms, ${formatBytes(galoisKeys.byteLength)} to register once`);

// 1. In-process evaluation (no thread hop), for the breakdown. Wall time moves with whatever else the
// machine runs; this thread's CPU time (Linux /proc/thread-self) does not, so both are reported.
const inProcess = createForecastEvaluator({ seal: await createSealInstance(), weights });
const inProcessMs: number[] = [];
const inProcessCiphertexts = featureRows.slice(0, 500).map((features) => client.encryptFeatures(features));
inProcess.evaluate({ keyFingerprint, galoisKeys, ciphertext: inProcessCiphertexts[0]!.slice() });
const cpuBeforeMs = readThreadCpuMs();
for (const ciphertext of inProcessCiphertexts) {
  startedAt = performance.now();
  inProcess.evaluate({ keyFingerprint, galoisKeys, ciphertext });
  inProcessMs.push(performance.now() - startedAt);
}
const cpuAfterMs = readThreadCpuMs();
const cpuMsPerForecast = cpuBeforeMs === null || cpuAfterMs === null ? null : (cpuAfterMs - cpuBeforeMs) / inProcessCiphertexts.length;
inProcess.delete();

// 2. The server path: the HE worker pool with one worker.
const pool = createHeEvalPool({ size: 1 });
await pool.ready();
const evalMs: number[] = [];
const encryptMs: number[] = [];
const decryptMs: number[] = [];
let uploadBytesTotal = 0;
let resultBytesTotal = 0;
let maxAbsError = 0;
let rssAfterWarmupMb = 0;
const progressEvery = Math.max(1, Math.floor(options.requests / 8));
const total = options.warmup + options.requests;
for (let index = 0; index < total; index += 1) {
  if (index === options.warmup) rssAfterWarmupMb = rssMb();
  const features = featureRows[index % featureRows.length]!;
  let t = performance.now();
  const ciphertext = client.encryptFeatures(features);
  const encryptElapsed = performance.now() - t;
  const uploadBytes = ciphertext.byteLength;
  t = performance.now();
  // As the server does: without the keys first (the worker caches them), with them when it asks.
  let result = await pool.run({ type: "forecast", keyFingerprint, ciphertext: ciphertext.slice() });
  if (result.type === "need-keys") result = await pool.run({ type: "forecast", keyFingerprint, galoisKeys, ciphertext }, { transfer: [ciphertext.buffer as ArrayBuffer] });
  const evalElapsed = performance.now() - t;
  if (result.type !== "forecast") throw new Error("unexpected worker result");
  t = performance.now();
  const decrypted = client.decryptForecast(result.ciphertext);
  const decryptElapsed = performance.now() - t;
  if (index < options.warmup) continue;
  evalMs.push(evalElapsed);
  encryptMs.push(encryptElapsed);
  decryptMs.push(decryptElapsed);
  uploadBytesTotal += uploadBytes;
  resultBytesTotal += result.ciphertext.byteLength;
  maxAbsError = Math.max(maxAbsError, Math.abs(decrypted - predictGlucoseLinear(weights, features)));
  const done = index - options.warmup + 1;
  if (done % progressEvery === 0) {
    const recent = sorted(evalMs.slice(-progressEvery));
    console.log(`  ${done}/${options.requests} forecasts: eval p50 ${percentile(recent, 50).toFixed(1)} ms, p99 ${percentile(recent, 99).toFixed(1)} ms, rss ${rssMb().toFixed(1)} MB`);
  }
}
const rssEndMb = rssMb();
const stats = pool.stats();
console.log(`load average at end: ${os.loadavg().map((value) => value.toFixed(2)).join(" ")}`);
await pool.close();

// 3. The same model in plaintext, same inputs, same run: the baseline.
const plainMs: number[] = [];
let sink = 0;
const PLAIN_BATCH = 1000;
for (let index = 0; index < options.requests; index += 1) {
  const features = featureRows[index % featureRows.length]!;
  const t = performance.now();
  for (let repeat = 0; repeat < PLAIN_BATCH; repeat += 1) sink += predictGlucoseLinear(weights, features);
  plainMs.push((performance.now() - t) / PLAIN_BATCH);
}
if (!Number.isFinite(sink)) throw new Error("unreachable");
client.delete();

const evalSorted = sorted(evalMs);
const evalP50Ms = percentile(evalSorted, 50);
const evalP99Ms = percentile(evalSorted, 99);
const plainEvalP50Ms = percentile(sorted(plainMs), 50);
const uploadBytesPerForecast = Math.round(uploadBytesTotal / evalMs.length);
const rssGrowthMb = rssEndMb - rssAfterWarmupMb;
const inProcessSorted = sorted(inProcessMs);
const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");

console.log("\nsummary");
console.log(
  formatTable([
    ["server evaluation (worker pool, 1 worker)", `p50 ${evalP50Ms.toFixed(2)} ms, p99 ${evalP99Ms.toFixed(2)} ms`, `target p50 < ${TARGET_EVAL_P50_MS} ms: ${verdict(evalP50Ms < TARGET_EVAL_P50_MS)}`],
    ["  of which in-process evaluate()", `p50 ${percentile(inProcessSorted, 50).toFixed(2)} ms, p99 ${percentile(inProcessSorted, 99).toFixed(2)} ms`, ""],
    ["  CPU time per evaluate() (one thread)", cpuMsPerForecast === null ? "-" : `${cpuMsPerForecast.toFixed(2)} ms`, "independent of other load on the machine"],
    ["plaintext model, same inputs", `p50 ${(plainEvalP50Ms * 1000).toFixed(3)} us`, `encrypted / plaintext: ${Math.round(evalP50Ms / plainEvalP50Ms).toLocaleString("en-US")}x`],
    ["client encrypt / decrypt", `p50 ${percentile(sorted(encryptMs), 50).toFixed(2)} / ${percentile(sorted(decryptMs), 50).toFixed(2)} ms`, ""],
    ["upload per forecast", formatBytes(uploadBytesPerForecast), `target <= 256 KiB: ${verdict(uploadBytesPerForecast <= TARGET_UPLOAD_BYTES)}`],
    ["result per forecast", formatBytes(resultBytesTotal / evalMs.length), ""],
    ["key registration (once)", formatBytes(galoisKeys.byteLength), `${HE_PARAMS.rotationSteps.length} Galois keys, generated in ${keyGenMs.toFixed(0)} ms`],
    ["max |encrypted - plaintext|", `${maxAbsError.toExponential(2)} mg/dL`, `target < ${TARGET_MAX_ERROR_MG_DL}: ${verdict(maxAbsError < TARGET_MAX_ERROR_MG_DL)}`],
    ["rss after warm-up -> end", `${rssAfterWarmupMb.toFixed(1)} -> ${rssEndMb.toFixed(1)} MB (${rssGrowthMb >= 0 ? "+" : ""}${rssGrowthMb.toFixed(1)})`, `target growth < ${TARGET_RSS_GROWTH_MB} MB: ${verdict(rssGrowthMb < TARGET_RSS_GROWTH_MB)}`],
    ["pool", `completed ${stats.completed}, failed ${stats.failed}, restarts ${stats.restarts}`, ""],
  ]),
);
console.log(
  `RESULT ${JSON.stringify({
    bench: "he",
    paramsId: HE_PARAMS.id,
    requests: evalMs.length,
    evalP50Ms: ms(evalP50Ms),
    evalP99Ms: ms(evalP99Ms),
    inProcessEvalP50Ms: ms(percentile(inProcessSorted, 50)),
    cpuMsPerForecast: cpuMsPerForecast === null ? null : ms(cpuMsPerForecast),
    plainEvalP50Ms: Number(plainEvalP50Ms.toPrecision(3)),
    uploadBytesPerForecast,
    resultBytesPerForecast: Math.round(resultBytesTotal / evalMs.length),
    keyRegistrationBytes: galoisKeys.byteLength,
    maxAbsErrorMgDl: Number(maxAbsError.toPrecision(3)),
    rssGrowthMb: Number(rssGrowthMb.toFixed(1)),
    cores: machine.cores,
  })}`,
);
