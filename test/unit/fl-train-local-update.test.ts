// A hospital's local update, end to end through the real secure aggregation: the server decodes the
// FedAvg step and the summed validation confusion, and nothing leaks round after round.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildEcgModel } from "@/lib/detect/ecg/build-ecg-model";
import { getEcgWeightVector } from "@/lib/detect/ecg/train";
import { useWasmBackend } from "@/lib/detect/ecg/use-wasm-backend";
import { generateHospitalCohort, getHospitalProfile, type THospitalCohort } from "@/lib/fl/hospital-cohorts";
import { createSecAggAggregator, createSecAggParticipant } from "@/lib/fl/secagg";
import { trainLocalUpdate, type TLocalUpdate } from "@/lib/fl/train-local-update";
import { decodeAggregate, encodeUpdateVector, getUpdateVectorLength } from "@/lib/fl/update-vector";
import { ECG_CLASSES } from "@/lib/detect/ecg/ecg-classes";

let cohorts: THospitalCohort[];
let globalWeights: Float32Array;

beforeAll(async () => {
  await useWasmBackend();
  cohorts = await Promise.all([0, 1, 2].map((index) => generateHospitalCohort({ profile: getHospitalProfile({ index }), strips: 60, seed: 11, workers: 0 })));
  const model = buildEcgModel({ form: "training", seed: 3 });
  globalWeights = getEcgWeightVector(model);
  model.dispose();
});

const train = (cohort: THospitalCohort, seed: string) =>
  trainLocalUpdate({ globalWeights, train: cohort.train, validation: cohort.validation, localEpochs: 1, learningRate: 0.003, batchSize: 16, seed });

describe("trainLocalUpdate", () => {
  it("returns the trained weights, their delta from the global ones and the local validation confusion, reproducibly", async () => {
    const cohort = cohorts[0]!;
    const update = await train(cohort, "a");
    expect(update.sampleCount).toBe(cohort.train.count);
    expect(update.weights.length).toBe(globalWeights.length);
    update.delta.forEach((value, index) => expect(value).toBe(Math.fround(update.weights[index]! - globalWeights[index]!)));
    expect(update.delta.some((value) => value !== 0)).toBe(true);
    expect(update.validationConfusion).toHaveLength(ECG_CLASSES.length);
    update.validationConfusion.forEach((row, classIndex) => {
      expect(row).toHaveLength(ECG_CLASSES.length);
      expect(row.reduce((sum, value) => sum + value, 0)).toBe(cohort.validation.labels.filter((label) => label === classIndex).length);
    });
    const again = await train(cohort, "a");
    expect(Buffer.from(again.weights.buffer).equals(Buffer.from(update.weights.buffer))).toBe(true);
  });

  it("leaves no tensors behind, call after call", async () => {
    await train(cohorts[1]!, "warm-up");
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round += 1) await train(cohorts[1]!, `round-${round}`);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("continues a site's own Adam from round to round, allocating its moments once", async () => {
    const optimizer = tf.train.adam(0.003);
    const first = await trainLocalUpdate({ globalWeights, train: cohorts[2]!.train, validation: cohorts[2]!.validation, localEpochs: 1, learningRate: 0.003, batchSize: 16, seed: "kept-0", optimizer });
    const afterFirst = tf.memory().numTensors;
    const second = await trainLocalUpdate({ globalWeights, train: cohorts[2]!.train, validation: cohorts[2]!.validation, localEpochs: 1, learningRate: 0.003, batchSize: 16, seed: "kept-0", optimizer });
    expect(tf.memory().numTensors).toBe(afterFirst);
    // Same data and batch order, but the carried-over moments make it a different step.
    expect(Buffer.from(second.weights.buffer).equals(Buffer.from(first.weights.buffer))).toBe(false);
    optimizer.dispose();
  });

  it("goes through secure aggregation to the FedAvg step and the summed confusion", async () => {
    const updates: TLocalUpdate[] = [];
    for (const [index, cohort] of cohorts.entries()) updates.push(await train(cohort, `fedavg-${index}`));
    const layout = { parameterCount: globalWeights.length, classCount: ECG_CLASSES.length };
    const clipNorm = 50;
    const sampleCap = 1000;
    const roundId = "local-update-test";
    const participants = updates.map((update, index) =>
      createSecAggParticipant({
        roundId,
        participantId: `site-${index}`,
        input: encodeUpdateVector({ layout, delta: update.delta, sampleCount: update.sampleCount, sampleCap, clipNorm, validationConfusion: update.validationConfusion, participants: 3 }).vector,
      }),
    );
    const server = createSecAggAggregator({ roundId, threshold: 2, vectorLength: getUpdateVectorLength(layout) });
    participants.forEach((participant) => server.advertise(participant.advertise()));
    const roster = server.closeAdvertising()!;
    participants.forEach((participant) => server.submitShares(participant.shareKeys(roster)));
    server.closeSharing();
    participants.forEach((participant, index) => server.submitMasked(participant.maskInput(server.sharesFor(`site-${index}`))));
    const request = server.closeMasking()!;
    participants.forEach((participant) => server.submitUnmasking(participant.unmask(request)));
    const decoded = decodeAggregate({ sum: server.finish()!.sum, layout, clipNorm, participants: 3 });

    const weights = updates.map((update) => update.sampleCount / sampleCap);
    const totalWeight = weights.reduce((sum, value) => sum + value, 0);
    expect(decoded.totalWeight).toBeCloseTo(totalWeight, 5);
    for (let index = 0; index < globalWeights.length; index += 97) {
      const expected = updates.reduce((sum, update, site) => sum + weights[site]! * update.delta[index]!, 0) / totalWeight;
      expect(Math.abs(decoded.delta[index]! - expected)).toBeLessThan(1e-5);
    }
    const summed = ECG_CLASSES.map((_, row) => ECG_CLASSES.map((__, column) => updates.reduce((sum, update) => sum + update.validationConfusion[row]![column]!, 0)));
    expect(decoded.validationConfusion).toEqual(summed);
  });
});
