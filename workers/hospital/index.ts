// A hospital's federated-training participant, run on the hospital's own machine:
//   npm run hospital -- --hospital <hospital id> --server https://pulseguard.example --credential-file hospital.token
//   npm run hospital -- --hospital <hospital id> --server http://localhost:3000 --credential pgh_... --profile 2 --once
//
// Its training strips stay here: a simulated cohort (lib/fl/hospital-cohorts, --profile picks the kind of
// site: cardiology, paediatrics, geriatrics, emergency, wearable screening) is generated once at start.
// For each round this hospital has a seat in, it downloads the global weights (checked against the
// round's sha256), trains locally, clips and quantizes the update, and takes part in secure aggregation:
// only the masked vector leaves, and the server learns only the sum over hospitals.
import { readFileSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { ECG_CLASSES } from "../../lib/detect/ecg/ecg-classes";
import { ECG_RHYTHMS } from "../../lib/sim/ecg";
import { generateHospitalCohort, getHospitalProfile } from "../../lib/fl/hospital-cohorts";
import { createParticipantClient, ParticipantApiError } from "../../lib/fl/participant/create-participant-client";
import { runParticipantRound } from "../../lib/fl/participant/run-participant-round";
import { l2Norm } from "../../lib/fl/prepare-update";
import { trainLocalUpdate } from "../../lib/fl/train-local-update";
import { useWasmBackend } from "../../lib/detect/ecg/use-wasm-backend";
import { encodeUpdateVector } from "../../lib/fl/update-vector";

const ZArgs = z
  .object({
    hospital: z.uuid({ message: "--hospital must be this hospital's id (shown on the admin page)" }),
    server: z.url().default("http://localhost:3000"),
    credential: z.string().startsWith("pgh_").optional(),
    "credential-file": z.string().optional(),
    profile: z.coerce.number().int().min(0).max(49).optional(),
    strips: z.coerce.number().int().min(100).max(5000).default(600),
    seed: z.coerce.number().int().min(0).max(3999).default(1),
    "poll-s": z.coerce.number().min(0.2).max(300).default(5),
    workers: z.coerce.number().int().min(1).max(8).default(2),
    once: z.boolean().default(false),
    "drop-after": z.enum(["weights", "keys", "shares", "masked"]).optional(),
  })
  .refine((args) => Boolean(args.credential) !== Boolean(args["credential-file"]), { message: "give exactly one of --credential and --credential-file", path: ["credential"] });

const startedAt = performance.now();
const print = (line = "") => process.stdout.write(`${line}\n`);
const step = (line: string) => print(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(7)}s] ${line}`);

function readArgs() {
  const { values } = parseArgs({
    options: {
      hospital: { type: "string" },
      server: { type: "string" },
      credential: { type: "string" },
      "credential-file": { type: "string" },
      profile: { type: "string" },
      strips: { type: "string" },
      seed: { type: "string" },
      "poll-s": { type: "string" },
      workers: { type: "string" },
      once: { type: "boolean" },
      "drop-after": { type: "string" },
    },
    strict: true,
  });
  const parsed = ZArgs.safeParse(values);
  if (!parsed.success) {
    print(`Invalid options:\n${parsed.error.issues.map((issue) => `  --${issue.path.join(".")}: ${issue.message}`).join("\n")}`);
    process.exit(2);
  }
  return parsed.data;
}

/** The same hospital id always picks the same kind of site unless --profile says otherwise. */
const profileIndexFor = (hospitalId: string) => Number.parseInt(hospitalId.replaceAll("-", "").slice(-4), 16) % 5;

async function main() {
  const args = readArgs();
  if (args["credential-file"] && (statSync(args["credential-file"]).mode & 0o077) !== 0) {
    print(`warning: ${args["credential-file"]} is readable by other users of this machine; chmod 600 it`);
  }
  const credential = args.credential ?? readFileSync(args["credential-file"]!, "utf8").trim();
  const client = createParticipantClient({ serverUrl: args.server, credential });
  const profile = getHospitalProfile({ index: args.profile ?? profileIndexFor(args.hospital) });
  const summary = { joined: 0, published: 0, failed: 0, dropped: 0 };
  let stopping = false;
  const printSummary = () => {
    const traffic = client.traffic();
    print();
    print("Hospital participant summary");
    print(`  hospital            ${args.hospital} (${profile.name} cohort)`);
    print(`  rounds joined       ${summary.joined} (published ${summary.published}, failed ${summary.failed}, dropped from ${summary.dropped})`);
    print(`  bytes sent          ${traffic.bytesSent}`);
    print(`  bytes received      ${traffic.bytesReceived}`);
    print(`  wall time           ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  };
  process.once("SIGINT", () => {
    stopping = true;
    printSummary();
    process.exit(130);
  });

  step(`hospital ${args.hospital}: generating its ${profile.name} cohort (${args.strips} strips, stays on this machine)`);
  const cohort = await generateHospitalCohort({
    profile,
    strips: args.strips,
    seed: args.seed,
    workers: args.workers,
    onProgress: (progress) => step(`cohort: ${progress.done}/${progress.total} strips (${progress.stripsPerS.toFixed(0)}/s, ETA ${progress.etaS.toFixed(0)} s)`),
  });
  step(`cohort ready: ${cohort.train.count} training, ${cohort.validation.count} validation strips; per class ${ECG_RHYTHMS.map((rhythm) => `${rhythm} ${cohort.classCounts[rhythm]}`).join(", ")}`);

  // One Adam for the process's lifetime: its moment estimates carry from round to round (measured by
  // eval:federated: fresh optimizers each round average like sign votes and reach a worse model).
  let optimizer: tf.AdamOptimizer | undefined;
  const handled = new Set<string>();
  while (!stopping) {
    let rounds;
    try {
      rounds = await client.listRounds();
    } catch (error) {
      if (error instanceof ParticipantApiError && error.status === 401) {
        print(`the server refused this credential (${error.message}); ask the hospital admin for a new one`);
        process.exit(1);
      }
      step(`server not reachable (${error instanceof Error ? error.message : String(error)}); retrying in ${args["poll-s"]} s`);
      await new Promise((resolve) => setTimeout(resolve, args["poll-s"] * 1000));
      continue;
    }
    const next = rounds.find((round) => round.stage === "ADVERTISING" && round.status === "SELECTED" && !handled.has(round.id));
    if (!next) {
      if (args.once && summary.joined > 0) break;
      await new Promise((resolve) => setTimeout(resolve, args["poll-s"] * 1000));
      continue;
    }
    handled.add(next.id);
    summary.joined += 1;
    step(`round ${next.id} (${next.modelName}): joining`);
    const outcome = await runParticipantRound({
      client,
      roundId: next.id,
      pollMs: Math.min(args["poll-s"] * 1000, 2000),
      stopAfter: args["drop-after"],
      onStep: (name, view) => step(`round ${next.id}: ${name} done (stage ${view.round.stage})`),
      computeUpdate: async ({ view, globalWeights }) => {
        if (view.you.participantId !== args.hospital) throw new Error(`this credential belongs to hospital ${view.you.participantId}, not ${args.hospital}`);
        if (view.round.classCount !== ECG_CLASSES.length) throw new Error("the round's model has other classes than this participant's data");
        const { config } = view.round;
        step(`round ${next.id}: training ${config.localEpochs} local epoch(s) on ${cohort.train.count} strips from version ${view.round.baseVersion.version}`);
        // The optimizer's state lives on the backend: it must exist before the first variable is made.
        await useWasmBackend();
        optimizer ??= tf.train.adam(config.learningRate);
        const update = await trainLocalUpdate({
          optimizer,
          globalWeights,
          train: cohort.train,
          validation: cohort.validation,
          localEpochs: config.localEpochs,
          learningRate: config.learningRate,
          batchSize: config.batchSize,
          seed: `${args.hospital}/${next.id}`,
          onProgress: (progress) => step(`round ${next.id}: epoch ${progress.epoch}/${progress.epochs} loss ${progress.loss.toFixed(4)}`),
        });
        const encoded = encodeUpdateVector({
          layout: { parameterCount: view.round.parameterCount, classCount: view.round.classCount },
          delta: update.delta,
          sampleCount: update.sampleCount,
          sampleCap: config.sampleCap,
          clipNorm: config.clipNorm,
          noiseStdPerParticipant: config.noiseStdPerParticipant,
          validationConfusion: update.validationConfusion,
          participants: view.round.participants,
        });
        step(
          `round ${next.id}: update norm ${l2Norm(update.delta).toFixed(3)}${encoded.clippedFrom > config.clipNorm ? ` clipped to ${config.clipNorm}` : ""}, weight ${encoded.weight.toFixed(2)}${config.noiseStdPerParticipant > 0 ? `, DP noise sigma ${config.noiseStdPerParticipant} x clip` : ""}; masking and uploading`,
        );
        return encoded.vector;
      },
    }).catch((error: unknown) => {
      step(`round ${next.id}: stopped: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
    if (outcome?.stage === "DONE") summary.published += 1;
    else if (outcome?.stage === "FAILED") summary.failed += 1;
    if (outcome?.status === "DROPPED" || !outcome) summary.dropped += 1;
    step(`round ${next.id}: ${outcome ? `round ${outcome.stage}, this hospital ${outcome.status}` : "left the round"}`);
    if (args.once) {
      // A one-shot run that did not see its round through says so to whoever scripted it.
      if (outcome?.stage !== "DONE" || outcome.status === "DROPPED") process.exitCode = 1;
      break;
    }
  }
  printSummary();
}

await main();
