// Federated training of the tier-2 ECG classifier across simulated, non-IID hospitals, with secure
// aggregation, against centralized training on the pooled data and against each hospital alone:
//   npm run eval:federated -- [--seed 7] [--hospitals 5] [--strips-per-hospital 400] [--epochs 30]
//                             [--local-epochs 1] [--server-momentum 0.5] [--site-optimizer kept] [--dp-sigma 0]
//
// One common held-out set scores all three: balanced over the classes, simulator seeds no hospital uses,
// noise levels between and beyond the hospitals' and a sample rate (360 Hz) no hospital records at.
// Same data and budget for all three: every model starts from the same initial weights and makes
// `epochs` passes over the training strips it may see (centralized: the pooled training splits; local
// only: its own; federated: rounds x local epochs = epochs, each site over its own split every round),
// with the same batch size and the same cosine learning-rate curve over those passes.
//
// Each federated round runs the real protocol in this process: hospitals train from the global weights
// (trainLocalUpdate), encode (encodeUpdateVector: clipped, sample-weighted, optional DP noise), and the
// Bonawitz participants and aggregator (lib/fl/secagg) exchange every message; the server decodes the
// sum (decodeAggregate) and steps the global weights with server momentum (FedAvgM, Hsu et al. 2019:
// v = beta v + delta, global += v; beta 0.5 by default, --server-momentum 0 is plain FedAvg, global +=
// delta). The sites still train exactly the epochs budget; momentum only reuses past averaged updates,
// which makes up for FedAvg taking one averaged step where pooled training takes one per site.
// Each site keeps its Adam from round to round (--site-optimizer kept, the default; sites of a
// cross-silo federation take part in every round): a fresh Adam per round starts every round with
// sign-like steps of full size on every weight, which average like a majority vote, not like gradients.
// Measured (seed 7, 400 strips per site, 30 epochs; centralized 0.9866): fresh Adam + FedAvg 0.9688,
// kept Adam + FedAvg 0.9749, kept Adam + momentum 0.5 0.9817 held-out macro F1. Scheduled dropouts (one hospital vanishing before
// its masked upload, another after it) check that rounds survive them, bit for bit against the plain sum.
//
// Cost per round, at 5 and at 10 hospitals, from the same global weights: bytes on the wire (the
// lib/fl/wire.ts encodings) and wall time, secure aggregation vs plain FedAvg (weights down, float32
// update up, summed in the clear), both including local training; plus the crypto-only time.
//
// Reproducible: data, initial weights, batch order and dropouts follow the seed, training runs on the
// single-threaded WASM backend. Secure aggregation's keys and masks are random, but the masks cancel
// exactly and the quantized sum, hence the model, does not depend on them (DP noise, when on, does).
import { randomUUID } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { buildEcgModel } from "../lib/detect/ecg/build-ecg-model";
import {
  formatEcgScore,
  generateEcgDataset,
  getCosineLearningRate,
  getEcgWeightVector,
  makeStripSpecs,
  predictEcgClasses,
  scoreEcgClassification,
  selectEcgRows,
  setEcgWeightVector,
  trainEcgEpochs,
  type TEcgClassificationScore,
  type TEcgDataset,
} from "../lib/detect/ecg/train";
import { useWasmBackend } from "../lib/detect/ecg/use-wasm-backend";
import { generateHospitalCohort, getHospitalProfile, type THospitalCohort } from "../lib/fl/hospital-cohorts";
import { averageFromSum, prepareUpdate } from "../lib/fl/prepare-update";
import { getEpsilon, getTotalNoiseMultiplier } from "../lib/fl/privacy-accounting";
import { addInto, createSecAggAggregator, createSecAggParticipant, type TSecAggParticipant } from "../lib/fl/secagg";
import { trainLocalUpdate, type TLocalUpdate } from "../lib/fl/train-local-update";
import { decodeAggregate, encodeUpdateVector, getUpdateVectorLength, type TUpdateVectorLayout } from "../lib/fl/update-vector";
import { encodeAdvertiseBody, encodeRelayedSharesWire, encodeRosterWire, encodeShareKeysBody, encodeUnmaskBody, getJsonBytes } from "../lib/fl/wire";
import { ECG_CLASSES } from "../lib/detect/ecg/ecg-classes";
import { ECG_RHYTHMS } from "../lib/sim/ecg";
import { createRng } from "../lib/sim/rng";

// Held-out design (as scripts/train-ecg.ts): noise levels interleaved with and beyond the sites', and
// 360 Hz, a rate no site records at, beside the common 250 Hz.
const HELD_OUT_NOISE_LEVELS = [0.05, 0.2, 0.4, 0.6, 0.8, 1];
const HELD_OUT_SAMPLE_RATES_HZ = [250, 250, 250, 360];
// Below every hospital seed (lib/fl/hospital-cohorts.ts starts at 100,000,000).
const HELD_OUT_SEED_BASE = 50_000_000;
// Sites differ in size as well as in case mix: strips = stripsPerHospital x this factor (mean 1).
const SITE_SIZE_FACTORS = [1.3, 0.7, 1, 1.2, 0.8];
const DP_DELTA = 1e-5;

function readOptions() {
  const ZOptions = z.object({
    seed: z.coerce.number().int().min(0).max(999).default(7),
    hospitals: z.coerce.number().int().min(3).max(20).default(5),
    "strips-per-hospital": z.coerce.number().int().min(80).max(5000).default(400),
    "held-out-per-class": z.coerce.number().int().min(10).max(2000).default(100),
    epochs: z.coerce.number().int().min(1).max(200).default(30),
    "local-epochs": z.coerce.number().int().min(1).max(20).default(1),
    "batch-size": z.coerce.number().int().min(8).max(512).default(16),
    "learning-rate": z.coerce.number().positive().max(0.1).default(0.003),
    "clip-norm": z.coerce.number().positive().max(100).default(10),
    /** Default: the largest site's training strips, so weights stay proportional to size and near 1 (DP noise is divided by their sum). */
    "sample-cap": z.coerce.number().int().positive().optional(),
    "server-learning-rate": z.coerce.number().positive().max(10).default(1),
    "server-momentum": z.coerce.number().min(0).max(0.99).default(0.5),
    "site-optimizer": z.enum(["kept", "fresh"]).default("kept"),
    "dp-sigma": z.coerce.number().min(0).max(10).default(0),
    "cost-strips-per-hospital": z.coerce.number().int().min(60).max(2000).default(120),
    "cost-repeats": z.coerce.number().int().min(1).max(10).default(3),
    workers: z.coerce.number().int().min(0).max(8).default(2),
  });
  const { values } = parseArgs({ options: Object.fromEntries(Object.keys(ZOptions.shape).map((key) => [key, { type: "string" as const }])), strict: true });
  const parsed = ZOptions.safeParse(values);
  if (!parsed.success) throw new Error(`Invalid options:\n${parsed.error.issues.map((issue) => `  --${issue.path.join(".")}: ${issue.message}`).join("\n")}`);
  const options = parsed.data;
  if (options.epochs % options["local-epochs"] !== 0) throw new Error("--epochs must be a multiple of --local-epochs (rounds x local epochs = the epochs budget)");
  return options;
}

const startedAt = performance.now();
const print = (line = "") => process.stdout.write(`${line}\n`);
const step = (line: string) => print(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${line}`);
const formatS = (seconds: number) => (seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s` : `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`);
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
const formatBytes = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);

type TDropout = { participant: number; when: "before-masking" | "before-unmasking" };

type TRoundCost = {
  wallS: number;
  /** Local training of all sites (sequential in this process). */
  trainingS: number;
  /** Per site: its training plus its own crypto; a deployment's round takes the slowest site plus the server. */
  siteS: number[];
  serverS: number;
  /** Crypto-only time per participant (encode + the four protocol steps), mean. */
  cryptoPerParticipantS: number;
  bytes: number;
};

type TSecAggRound = TRoundCost & {
  delta: Float64Array;
  validation: { strips: number; accuracy: number; macroF1: number };
  survivors: number;
  dropped: number;
  /** The unmasked sum equals the plain Z/2^32 sum of the surviving inputs, bit for bit. */
  isExact: boolean;
  maxClippedFrom: number;
};

/** One site's local training in a round, the same for the secure and the plain round. */
function trainSite(
  options: { globalWeights: Float32Array; localEpochs: number; learningRate: number; batchSize: number; seed: string; optimizers?: tf.AdamOptimizer[] },
  cohort: THospitalCohort,
  index: number,
): Promise<TLocalUpdate> {
  return trainLocalUpdate({
    globalWeights: options.globalWeights,
    train: cohort.train,
    validation: cohort.validation,
    localEpochs: options.localEpochs,
    learningRate: options.learningRate,
    batchSize: options.batchSize,
    seed: `${options.seed}/${index}`,
    optimizer: options.optimizers?.[index],
  });
}

/** One round with secure aggregation, every message through the aggregator, bytes counted as encoded on the wire. */
async function runSecAggRound(options: {
  roundId: string;
  globalWeights: Float32Array;
  cohorts: THospitalCohort[];
  layout: TUpdateVectorLayout;
  learningRate: number;
  localEpochs: number;
  batchSize: number;
  clipNorm: number;
  sampleCap: number;
  noiseStd: number;
  seed: string;
  dropout?: TDropout;
  optimizers?: tf.AdamOptimizer[];
}): Promise<TSecAggRound> {
  const { roundId, cohorts, layout, clipNorm } = options;
  const n = cohorts.length;
  const vectorLength = getUpdateVectorLength(layout);
  const threshold = Math.floor(n / 2) + 1;
  const roundStartedAt = performance.now();
  const ids = cohorts.map(() => randomUUID());
  const siteS = new Array<number>(n).fill(0);
  const cryptoS = new Array<number>(n).fill(0);
  let serverS = 0;
  let bytes = 0;
  let trainingS = 0;
  let maxClippedFrom = 0;
  const timed = <T>(account: (seconds: number) => void, run: () => T): T => {
    const t0 = performance.now();
    const result = run();
    account((performance.now() - t0) / 1000);
    return result;
  };
  const onSite = (index: number) => (seconds: number) => {
    siteS[index]! += seconds;
    cryptoS[index]! += seconds;
  };
  const onServer = (seconds: number) => (serverS += seconds);

  const inputs: Uint32Array[] = [];
  const participants: TSecAggParticipant[] = [];
  for (const [index, cohort] of cohorts.entries()) {
    bytes += options.globalWeights.length * 4;
    const t0 = performance.now();
    const update: TLocalUpdate = await trainSite(options, cohort, index);
    const trainedS = (performance.now() - t0) / 1000;
    trainingS += trainedS;
    siteS[index]! += trainedS;
    const encoded = timed(onSite(index), () =>
      encodeUpdateVector({
        layout,
        delta: update.delta,
        sampleCount: update.sampleCount,
        sampleCap: options.sampleCap,
        clipNorm,
        noiseStdPerParticipant: options.noiseStd,
        validationConfusion: update.validationConfusion,
        participants: n,
      }),
    );
    maxClippedFrom = Math.max(maxClippedFrom, encoded.clippedFrom);
    inputs.push(encoded.vector);
    participants.push(createSecAggParticipant({ roundId, participantId: ids[index]!, input: encoded.vector }));
  }

  const server = timed(onServer, () => createSecAggAggregator({ roundId, threshold, vectorLength }));
  for (const [index, participant] of participants.entries()) {
    const advertised = timed(onSite(index), () => participant.advertise());
    bytes += getJsonBytes(encodeAdvertiseBody(advertised));
    timed(onServer, () => server.advertise(advertised));
  }
  const roster = timed(onServer, () => server.closeAdvertising());
  if (!roster) throw new Error(`round ${roundId}: ${server.failure()}`);
  bytes += n * getJsonBytes(encodeRosterWire(roster));
  for (const [index, participant] of participants.entries()) {
    const message = timed(onSite(index), () => participant.shareKeys(roster));
    bytes += getJsonBytes(encodeShareKeysBody(message.shares));
    timed(onServer, () => server.submitShares(message));
  }
  if (!timed(onServer, () => server.closeSharing())) throw new Error(`round ${roundId}: ${server.failure()}`);
  const dropped = options.dropout;
  for (const [index, participant] of participants.entries()) {
    const relayed = timed(onServer, () => server.sharesFor(ids[index]!));
    bytes += getJsonBytes(encodeRelayedSharesWire(relayed));
    if (dropped?.participant === index && dropped.when === "before-masking") continue;
    const message = timed(onSite(index), () => participant.maskInput(relayed));
    bytes += message.masked.length * 4;
    timed(onServer, () => server.submitMasked(message));
  }
  const request = timed(onServer, () => server.closeMasking());
  if (!request) throw new Error(`round ${roundId}: ${server.failure()}`);
  for (const [index, participant] of participants.entries()) {
    if (dropped?.participant === index) continue;
    bytes += getJsonBytes({ survivors: request.survivors, dropped: request.dropped });
    const response = timed(onSite(index), () => participant.unmask(request));
    bytes += getJsonBytes(encodeUnmaskBody(response));
    timed(onServer, () => server.submitUnmasking(response));
  }
  const result = timed(onServer, () => server.finish());
  if (!result) throw new Error(`round ${roundId}: ${server.failure()}`);
  const decoded = timed(onServer, () => decodeAggregate({ sum: result.sum, layout, clipNorm, participants: n }));

  // The check the dropout rounds exist for: the server's unmasked sum is exactly the sum of what the
  // surviving sites encoded (a site that dropped before its masked upload is simply not in it).
  const expected = new Uint32Array(vectorLength);
  ids.forEach((id, index) => {
    if (result.survivors.includes(id)) addInto(expected, inputs[index]!);
  });
  const isExact = Buffer.from(expected.buffer).equals(Buffer.from(result.sum.buffer));
  return {
    wallS: (performance.now() - roundStartedAt) / 1000,
    trainingS,
    siteS,
    serverS,
    cryptoPerParticipantS: cryptoS.reduce((sum, value) => sum + value, 0) / n,
    bytes,
    delta: decoded.delta,
    validation: decoded.validation,
    survivors: result.survivors.length,
    dropped: result.dropped.length,
    isExact,
    maxClippedFrom,
  };
}

/** The same round as plain FedAvg: weights down, a float32 update of the same length up, summed in the clear. */
async function runPlainRound(options: { globalWeights: Float32Array; cohorts: THospitalCohort[]; layout: TUpdateVectorLayout; learningRate: number; localEpochs: number; batchSize: number; clipNorm: number; sampleCap: number; seed: string }): Promise<TRoundCost> {
  const roundStartedAt = performance.now();
  const vectorLength = getUpdateVectorLength(options.layout);
  const siteS: number[] = [];
  let trainingS = 0;
  let serverS = 0;
  let bytes = 0;
  const sum = new Float64Array(options.layout.parameterCount + 1);
  for (const [index, cohort] of options.cohorts.entries()) {
    bytes += options.globalWeights.length * 4;
    const t0 = performance.now();
    const update = await trainSite(options, cohort, index);
    const prepared = prepareUpdate({ delta: update.delta, sampleCount: update.sampleCount, sampleCap: options.sampleCap, clipNorm: options.clipNorm });
    const seconds = (performance.now() - t0) / 1000;
    trainingS += seconds;
    siteS.push(seconds);
    bytes += vectorLength * 4;
    const s0 = performance.now();
    for (let position = 0; position < sum.length; position += 1) sum[position]! += prepared.vector[position]!;
    serverS += (performance.now() - s0) / 1000;
  }
  const s0 = performance.now();
  averageFromSum(sum);
  serverS += (performance.now() - s0) / 1000;
  return { wallS: (performance.now() - roundStartedAt) / 1000, trainingS, siteS, serverS, cryptoPerParticipantS: 0, bytes };
}

function makeHeldOutSpecs(options: { perClass: number; seed: number }) {
  return makeStripSpecs({
    perClass: options.perClass,
    seedBase: HELD_OUT_SEED_BASE + options.seed * 20_000,
    label: "fl-held-out",
    rngLabel: `fl-eval/held-out/${options.seed}`,
    noiseLevels: HELD_OUT_NOISE_LEVELS,
    sampleRatesHz: HELD_OUT_SAMPLE_RATES_HZ,
    unreadableShare: 0.2,
  });
}

async function main() {
  const options = readOptions();
  const { seed, hospitals } = options;
  const epochs = options.epochs;
  const localEpochs = options["local-epochs"];
  const rounds = epochs / localEpochs;
  const batchSize = options["batch-size"];
  const baseLearningRate = options["learning-rate"];
  const clipNorm = options["clip-norm"];
  const noiseStd = options["dp-sigma"];
  print(`Federated ECG evaluation: seed ${seed}, ${hospitals} hospitals x ~${options["strips-per-hospital"]} strips, ${rounds} rounds x ${localEpochs} local epoch(s) = ${epochs} epochs budget, batch ${batchSize}, lr ${baseLearningRate}, clip ${clipNorm}, DP sigma ${noiseStd}`);
  print(`server step: momentum ${options["server-momentum"]}, learning rate ${options["server-learning-rate"]}; site optimizer: Adam ${options["site-optimizer"] === "kept" ? "kept across rounds" : "fresh every round"}`);
  print(`machine: ${os.cpus()[0]?.model.trim() ?? "unknown"} x ${os.cpus().length}, node ${process.version}`);

  // Data: the sites (training + validation splits), the common held-out set, and small sites for the 10-hospital cost round.
  const cohorts: THospitalCohort[] = [];
  for (let index = 0; index < hospitals; index += 1) {
    const profile = getHospitalProfile({ index });
    const strips = Math.round(options["strips-per-hospital"] * (SITE_SIZE_FACTORS[index % SITE_SIZE_FACTORS.length] ?? 1));
    const cohort = await generateHospitalCohort({ profile, strips, seed, workers: options.workers });
    cohorts.push(cohort);
    const mix = ECG_RHYTHMS.map((rhythm) => `${rhythm.split("_").map((word) => word[0]).join("")} ${cohort.classCounts[rhythm]}`).join(", ");
    step(`hospital ${index} ${profile.name}: ${cohort.train.count} train + ${cohort.validation.count} validation strips (${mix}), rates ${Math.round(profile.heartRateWindow.from * 100)}-${Math.round(profile.heartRateWindow.to * 100)} % of each range, noise ${profile.noiseLevels.join("/")}, ${[...new Set(profile.sampleRatesHz)].join("/")} Hz`);
  }
  const heldOutSpecs = makeHeldOutSpecs({ perClass: options["held-out-per-class"], seed });
  const heldOutSeeds = new Set(heldOutSpecs.map((spec) => spec.seed));
  if (cohorts.some((cohort) => [...heldOutSeeds].some((value) => value >= cohort.seeds.first && value <= cohort.seeds.last))) throw new Error("held-out seeds overlap a hospital's");
  const heldOut = await generateEcgDataset({ specs: heldOutSpecs, workers: options.workers });
  step(`held-out: ${heldOut.count} strips (${options["held-out-per-class"]} per class; seeds ${heldOutSpecs[0]!.seed}..${heldOutSpecs.at(-1)!.seed}, noise ${HELD_OUT_NOISE_LEVELS.join("/")}, 250/360 Hz)`);
  const costCohorts: THospitalCohort[] = [];
  for (let index = 0; index < 10; index += 1) {
    costCohorts.push(await generateHospitalCohort({ profile: getHospitalProfile({ index }), strips: options["cost-strips-per-hospital"], seed: seed + 1000, workers: options.workers }));
  }
  step(`cost-round sites: 10 x ${options["cost-strips-per-hospital"]} strips (separate seeds)`);

  const sampleCap = options["sample-cap"] ?? Math.max(...cohorts.map((cohort) => cohort.train.count));
  print(`sample cap ${sampleCap} (FedAvg weight min(1, strips / cap))`);
  await useWasmBackend();
  step(`tfjs ${tf.version.tfjs} on ${tf.getBackend()} (1 thread)`);
  const scratch = buildEcgModel({ form: "training", seed });
  const initialWeights = getEcgWeightVector(scratch);
  const layout: TUpdateVectorLayout = { parameterCount: initialWeights.length, classCount: ECG_CLASSES.length };
  const scoreWeights = (weights: Float32Array): TEcgClassificationScore => {
    setEcgWeightVector(scratch, weights);
    return scoreEcgClassification({ truth: heldOut.labels, predicted: predictEcgClasses({ model: scratch, dataset: heldOut }) });
  };
  const trainAlone = async (dataset: TEcgDataset, label: string) => {
    const model = buildEcgModel({ form: "training", seed });
    setEcgWeightVector(model, initialWeights);
    const t0 = performance.now();
    await trainEcgEpochs({
      model,
      dataset,
      fittingIndexes: Array.from({ length: dataset.count }, (_, index) => index),
      epochs,
      batchSize,
      baseLearningRate,
      schedule: "cosine",
      rng: createRng(`fl-eval/${label}/${seed}`),
      onEpoch: (progress) => {
        if (progress.epoch % 6 === 0 || progress.epoch === progress.epochs) step(`  ${label}: epoch ${progress.epoch}/${progress.epochs}  loss ${progress.loss.toFixed(4)}  acc ${progress.accuracy.toFixed(4)}  elapsed ${formatS(progress.elapsedS)}  ETA ${formatS(progress.etaS)}`);
      },
    });
    const weights = getEcgWeightVector(model);
    model.dispose();
    return { weights, trainS: (performance.now() - t0) / 1000 };
  };

  // Centralized: the pooled training splits.
  step(`centralized: ${epochs} epochs on the pooled ${cohorts.reduce((sum, cohort) => sum + cohort.train.count, 0)} training strips`);
  const pooled = selectEcgRows({ parts: cohorts.map((cohort) => ({ dataset: cohort.train })) });
  const centralized = await trainAlone(pooled, "centralized");
  const centralizedScore = scoreWeights(centralized.weights);
  step(`centralized: held-out macro F1 ${centralizedScore.macroF1.toFixed(4)} (${formatS(centralized.trainS)})`);

  // Local only: each site on its own training split.
  const localScores: TEcgClassificationScore[] = [];
  for (const [index, cohort] of cohorts.entries()) {
    const local = await trainAlone(cohort.train, `local-${index}`);
    localScores.push(scoreWeights(local.weights));
    step(`local only, hospital ${index} ${cohort.profile.name}: held-out macro F1 ${localScores.at(-1)!.macroF1.toFixed(4)}`);
  }
  const localOnlyMeanF1 = round4(localScores.reduce((sum, score) => sum + score.macroF1, 0) / localScores.length);

  // Federated with secure aggregation. Dropouts: one site vanishes before its masked upload in one round
  // (its pairwise masks are removed with its reconstructed key, its update is missing from that round),
  // another after it in a later round (its input is in the sum, its self mask is reconstructed).
  const dropouts = new Map<number, TDropout>();
  const dropRng = createRng(`fl-eval/dropouts/${seed}`);
  if (rounds >= 2) {
    dropouts.set(Math.floor(rounds / 3), { participant: dropRng.int(0, hospitals - 1), when: "before-masking" });
    dropouts.set(Math.floor((2 * rounds) / 3), { participant: dropRng.int(0, hospitals - 1), when: "before-unmasking" });
  }
  let globalWeights = Float32Array.from(initialWeights);
  const serverLearningRate = options["server-learning-rate"];
  const serverMomentum = options["server-momentum"];
  const velocity = new Float64Array(globalWeights.length);
  const siteOptimizers = options["site-optimizer"] === "kept" ? cohorts.map(() => tf.train.adam(baseLearningRate)) : undefined;
  let dropoutsTolerated = 0;
  let dropoutsScheduled = 0;
  let fewestSurvivors = hospitals;
  const roundCosts: TSecAggRound[] = [];
  const federatedStartedAt = performance.now();
  step(`federated: ${rounds} rounds, ${hospitals} sites, secure aggregation threshold ${Math.floor(hospitals / 2) + 1} of ${hospitals}`);
  for (let round = 0; round < rounds; round += 1) {
    const learningRate = getCosineLearningRate({ baseLearningRate, epoch: round * localEpochs, epochs });
    const dropout = dropouts.get(round);
    if (dropout) dropoutsScheduled += 1;
    const result = await runSecAggRound({
      roundId: `fl-eval-${seed}-round-${round + 1}`,
      globalWeights,
      cohorts,
      layout,
      learningRate,
      localEpochs,
      batchSize,
      clipNorm,
      sampleCap,
      noiseStd,
      seed: `fl-eval/round/${seed}/${round}`,
      dropout,
      optimizers: siteOptimizers,
    });
    if (!result.isExact) throw new Error(`round ${round + 1}: the unmasked sum differs from the survivors' plain sum`);
    if (dropout && result.isExact && result.dropped + result.survivors === hospitals) dropoutsTolerated += 1;
    fewestSurvivors = Math.min(fewestSurvivors, result.survivors);
    roundCosts.push(result);
    const next = new Float32Array(globalWeights.length);
    for (let index = 0; index < next.length; index += 1) {
      velocity[index] = serverMomentum * velocity[index]! + result.delta[index]!;
      next[index] = globalWeights[index]! + serverLearningRate * velocity[index]!;
    }
    globalWeights = next;
    const heldOutF1 = scoreWeights(globalWeights).macroF1;
    const elapsedS = (performance.now() - federatedStartedAt) / 1000;
    const etaS = (elapsedS / (round + 1)) * (rounds - round - 1);
    const dropNote = dropout ? `  dropout: hospital ${dropout.participant} ${dropout.when} (${result.survivors} survivors, sum exact)` : "";
    step(
      `round ${String(round + 1).padStart(2)}/${rounds}  lr ${learningRate.toExponential(1)}  sites' validation F1 (aggregate) ${result.validation.macroF1.toFixed(4)}  held-out F1 ${heldOutF1.toFixed(4)}  max |delta| ${result.maxClippedFrom.toFixed(2)}  ${formatS(result.wallS)}  elapsed ${formatS(elapsedS)}  ETA ${formatS(etaS)}${dropNote}`,
    );
  }
  const federatedScore = scoreWeights(globalWeights);
  const centralizedF1 = centralizedScore.macroF1;
  const federatedF1 = federatedScore.macroF1;

  // Cost rounds: secure aggregation vs plain FedAvg from the same (final) global weights, no dropouts.
  const costLearningRate = getCosineLearningRate({ baseLearningRate, epoch: 0, epochs });
  const costAt = async (sites: THospitalCohort[]) => {
    const plain: TRoundCost[] = [];
    const secure: TSecAggRound[] = [];
    for (let repeat = 0; repeat < options["cost-repeats"]; repeat += 1) {
      const common = { globalWeights, cohorts: sites, layout, learningRate: costLearningRate, localEpochs, batchSize, clipNorm, sampleCap, seed: `fl-eval/cost/${seed}/${sites.length}/${repeat}` };
      // Alternating which goes first, so neither always runs on a warmer (or busier) machine.
      if (repeat % 2 === 1) secure.push(await runSecAggRound({ ...common, roundId: `fl-eval-cost-${sites.length}-${repeat}`, noiseStd }));
      plain.push(await runPlainRound(common));
      if (repeat % 2 === 0) secure.push(await runSecAggRound({ ...common, roundId: `fl-eval-cost-${sites.length}-${repeat}`, noiseStd }));
    }
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    // Times: the fastest repeat of each (the least disturbed by other load on a shared machine).
    const fastest = (values: number[]) => Math.min(...values);
    const parallelS = (cost: TRoundCost) => Math.max(...cost.siteS) + cost.serverS;
    return {
      hospitals: sites.length,
      plainBytes: mean(plain.map((cost) => cost.bytes)),
      secureBytes: mean(secure.map((cost) => cost.bytes)),
      plainS: fastest(plain.map((cost) => cost.wallS)),
      secureS: fastest(secure.map((cost) => cost.wallS)),
      plainParallelS: fastest(plain.map(parallelS)),
      secureParallelS: fastest(secure.map(parallelS)),
      trainingS: fastest(secure.map((cost) => cost.trainingS / sites.length)),
      cryptoPerParticipantS: fastest(secure.map((cost) => cost.cryptoPerParticipantS)),
      serverCryptoS: fastest(secure.map((cost) => cost.serverS)),
    };
  };
  step(`cost rounds (${options["cost-repeats"]} each, plain and secure aggregation, fastest kept): ${hospitals} sites of the run, 10 smaller sites`);
  const costs = [await costAt(cohorts.slice(0, Math.min(5, hospitals))), await costAt(costCohorts)];
  const cost10 = costs.at(-1)!;

  // Only the survivors' noise is in a round's sum: account every round at the fewest survivors seen.
  const epsilon = noiseStd > 0 ? getEpsilon({ noiseMultiplier: getTotalNoiseMultiplier({ sigmaPerParticipant: noiseStd, participants: fewestSurvivors }), rounds, delta: DP_DELTA }) : undefined;

  print();
  print("federated model on the common held-out set:");
  formatEcgScore({ score: federatedScore, setName: "held-out" }).forEach((line) => print(line));
  print();
  print(`common held-out set, macro F1 (${heldOut.count} strips, ${epochs} epochs budget each):`);
  const table = [
    ["model", "macro F1", "accuracy"],
    ["centralized (pooled data)", centralizedF1.toFixed(4), centralizedScore.accuracy.toFixed(4)],
    [`federated + secure aggregation (${rounds} rounds)`, federatedF1.toFixed(4), federatedScore.accuracy.toFixed(4)],
    ...localScores.map((score, index) => [`local only: ${cohorts[index]!.profile.name}`, score.macroF1.toFixed(4), score.accuracy.toFixed(4)]),
    ["local only: mean", localOnlyMeanF1.toFixed(4), ""],
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  for (const row of table) print(`  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ")}`);
  print(`  federated / centralized ${(federatedF1 / centralizedF1).toFixed(4)} (target >= 0.99); federated - local-only mean ${(federatedF1 - localOnlyMeanF1).toFixed(4)} (target >= 0.05)`);
  print();
  print("cost per round (secure aggregation vs plain FedAvg, both including local training):");
  const costRows = [["hospitals", "bytes plain", "bytes secagg", "ratio", "wall plain", "wall secagg", "ratio", "parallel-site ratio", "crypto/participant", "server crypto"]];
  for (const cost of costs) {
    costRows.push([
      String(cost.hospitals),
      formatBytes(cost.plainBytes),
      formatBytes(cost.secureBytes),
      (cost.secureBytes / cost.plainBytes).toFixed(3),
      formatS(cost.plainS),
      formatS(cost.secureS),
      (cost.secureS / cost.plainS).toFixed(3),
      (cost.secureParallelS / cost.plainParallelS).toFixed(3),
      `${(cost.cryptoPerParticipantS * 1000).toFixed(0)} ms`,
      `${(cost.serverCryptoS * 1000).toFixed(0)} ms`,
    ]);
  }
  const costWidths = costRows[0]!.map((_, column) => Math.max(...costRows.map((row) => row[column]!.length)));
  for (const row of costRows) print(`  ${row.map((cell, column) => cell.padStart(costWidths[column]!)).join("  ")}`);
  print("  wall: the sites train one after another in this process; parallel-site: slowest site (training + its crypto) + server, as when sites train at once.");
  print(`  local training per site in the cost rounds: ${(costs.map((cost) => `${cost.hospitals} sites ${(cost.trainingS * 1000).toFixed(0)} ms`)).join(", ")}`);
  print();
  const meanRoundS = roundCosts.reduce((sum, cost) => sum + cost.wallS, 0) / roundCosts.length;
  print(`training rounds: mean ${formatS(meanRoundS)} per round; dropouts scheduled ${dropoutsScheduled}, tolerated ${dropoutsTolerated} (sum exact and decoded)`);
  if (epsilon !== undefined) print(`differential privacy: sigma ${noiseStd} x clip per site, ${rounds} rounds, ${fewestSurvivors} sites' noise at least -> (epsilon ${epsilon.toFixed(2)}, delta ${DP_DELTA}) per hospital`);
  step(`done in ${formatS((performance.now() - startedAt) / 1000)}`);
  const result = {
    eval: "federated",
    hospitals,
    rounds,
    centralizedF1,
    federatedF1,
    localOnlyMeanF1,
    secaggBytesRatio: round4(cost10.secureBytes / cost10.plainBytes),
    secaggTimeRatio: round4(cost10.secureS / cost10.plainS),
    dropoutsTolerated,
    ...(epsilon !== undefined ? { epsilon: round4(epsilon), dpSigma: noiseStd } : {}),
  };
  print(`RESULT ${JSON.stringify(result)}`);
}

await main();
