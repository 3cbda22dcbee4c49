// Federated rounds through the real participant routes and the database: hospitals' processes (the same
// client code as `npm run hospital`) talk HTTP to the route handlers, the round state lives in the
// database, deadlines are swept. A small registered model keeps the vectors short and the test fast; the
// protocol is the same for the ECG model.
import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as roundStepRoute from "@/app/api/fl/participant/rounds/[roundId]/[step]/route";
import * as roundViewRoute from "@/app/api/fl/participant/rounds/[roundId]/route";
import * as roundWeightsRoute from "@/app/api/fl/participant/rounds/[roundId]/weights/route";
import * as roundListRoute from "@/app/api/fl/participant/rounds/route";
import { createRandomToken, hashToken } from "@/lib/auth/tokens";
import type { TDatabase } from "@/lib/db/open-database";
import { HOSPITAL_CREDENTIAL_PREFIX } from "@/lib/fl/credentials/authenticate-hospital-credential";
import { createParticipantClient, ParticipantApiError } from "@/lib/fl/participant/create-participant-client";
import { runParticipantRound } from "@/lib/fl/participant/run-participant-round";
import { activateModelVersion, cancelRound, getRoundView, startRound, sweepRounds } from "@/lib/fl/rounds";
import { addInto } from "@/lib/fl/secagg";
import { decodeAggregate, encodeUpdateVector } from "@/lib/fl/update-vector";
import { createHospital, createUser, signInAs } from "../helpers/factories";
import { BYTE_CHI_SQUARE_1E9, byteChiSquare, signedCorrelation } from "../helpers/uniformity";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { createTestDatabase } from "../helpers/test-database";

let database: TDatabase;
const db = () => database.prisma;

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabaseInServerContext(database);
});

afterAll(async () => {
  await database.close();
});

type TClient = ReturnType<typeof createParticipantClient>;
type THandler = (request: Request, context: { params: Promise<never> }) => Promise<Response>;
const ROUTES: { pattern: RegExp; names: string[]; handler: Record<string, THandler> }[] = [
  { pattern: /^\/api\/fl\/participant\/rounds$/, names: [], handler: roundListRoute as unknown as Record<string, THandler> },
  { pattern: /^\/api\/fl\/participant\/rounds\/([^/]+)\/weights$/, names: ["roundId"], handler: roundWeightsRoute as unknown as Record<string, THandler> },
  { pattern: /^\/api\/fl\/participant\/rounds\/([^/]+)\/([^/]+)$/, names: ["roundId", "step"], handler: roundStepRoute as unknown as Record<string, THandler> },
  { pattern: /^\/api\/fl\/participant\/rounds\/([^/]+)$/, names: ["roundId"], handler: roundViewRoute as unknown as Record<string, THandler> },
];

/** fetch() that hands the request to the Next route handler for its path, as Next would. */
const routeFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  for (const route of ROUTES) {
    const match = route.pattern.exec(url.pathname);
    const handler = match ? route.handler[request.method] : undefined;
    if (match && handler) return handler(request, { params: Promise.resolve(Object.fromEntries(route.names.map((name, index) => [name, match[index + 1]]))) as Promise<never> });
  }
  return new Response(JSON.stringify({ error: { code: "NOT_FOUND", message: "no route" } }), { status: 404 });
};

const CLASSES = ["a", "b", "c"];
const PARAMETERS = 3000;

async function createModel() {
  const name = `fl-test-${randomUUID().slice(0, 8)}`;
  const weights = Float32Array.from({ length: PARAMETERS }, (_, index) => Math.sin(index) * 0.1);
  const bytes = new Uint8Array(weights.buffer);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  await db().modelVersion.create({ data: { name, version: 1, status: "ACTIVE", sha256, sizeBytes: bytes.byteLength, manifest: { name, classes: CLASSES, metrics: {} }, weights: bytes } });
  return { name, weights };
}

async function createCredential(hospitalId: string, createdById: string, overrides: { expiresAt?: Date; revokedAt?: Date } = {}) {
  const token = HOSPITAL_CREDENTIAL_PREFIX + createRandomToken();
  await db().hospitalCredential.create({
    data: { hospitalId, label: "test", tokenHash: hashToken(token), createdById, expiresAt: overrides.expiresAt ?? new Date(Date.now() + 86_400_000), revokedAt: overrides.revokedAt ?? null },
  });
  return token;
}

async function createConsortium(size: number) {
  const hospitals = await Promise.all(Array.from({ length: size }, () => createHospital(db())));
  const admin = await createUser(db(), { hospitalId: hospitals[0]!.id, role: "HOSPITAL_ADMIN" });
  const tokens = await Promise.all(hospitals.map((hospital) => createCredential(hospital.id, admin.id)));
  const { actor } = await signInAs(db(), admin.id);
  return { hospitals, admin, actor, tokens, clients: tokens.map((credential) => createParticipantClient({ serverUrl: "http://localhost:3000", credential, fetchImpl: routeFetch })) };
}

/** A deterministic update per hospital: delta, sample count and validation confusion differ. */
function updateFor(position: number) {
  const delta = Float64Array.from({ length: PARAMETERS }, (_, index) => Math.cos(index * (position + 1)) * 0.001 * (position + 1));
  const sampleCount = 100 + 50 * position;
  const validationConfusion = [
    [5 + position, 1, 0],
    [0, 7, position],
    [1, 0, 9],
  ];
  return { delta, sampleCount, validationConfusion };
}

const CONFIG = { clipNorm: 5, sampleCap: 400, noiseStdPerParticipant: 0, stageTimeoutS: 30, trainingTimeoutS: 60 };

function encodeFor(position: number, participants: number) {
  const update = updateFor(position);
  return encodeUpdateVector({ layout: { parameterCount: PARAMETERS, classCount: CLASSES.length }, ...update, sampleCap: CONFIG.sampleCap, clipNorm: CONFIG.clipNorm, participants }).vector;
}

const WAITING_ON = { ADVERTISING: "SELECTED", SHARING: "ADVERTISED", MASKING: "SHARED", UNMASKING: "UPLOADED" } as const;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Lets the clock pass the stage deadline whenever the only hospitals the stage still waits for have gone
 * silent (their process returned after its last step), until the round ends; the others answer in their
 * own time.
 */
async function sweepUntilFinished(roundId: string, silentHospitalIds: Set<string>) {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const view = (await getRoundView({ db: db(), roundId }))!;
    if (view.stage === "DONE" || view.stage === "FAILED") return view;
    const pending = view.participants.filter((seat) => seat.status === WAITING_ON[view.stage as keyof typeof WAITING_ON]);
    // Each sweep's clock is an hour later than the last: a stage it opens gets its deadline from that clock.
    // Non-empty: a read that saw the round before and its seats after a commit (two queries) finds none pending.
    if (pending.length > 0 && pending.every((seat) => silentHospitalIds.has(seat.hospitalId))) await sweepRounds({ db: db(), now: new Date(Date.now() + (attempt + 1) * 3_600_000), roundIds: [roundId] });
    await pause(25);
  }
  const last = (await getRoundView({ db: db(), roundId }))!;
  throw new Error(`round did not finish: ${last.stage} ${JSON.stringify(last.participants.map((seat) => [seat.status, seat.dropReason]))}`);
}

async function readResultWeights(resultVersionId: string) {
  const version = await db().modelVersion.findUniqueOrThrow({ where: { id: resultVersionId } });
  return { version, weights: new Float32Array(new Uint8Array(version.weights!).slice().buffer) };
}

/** What the server must publish for these contributors: base + FedAvg of the plaintext quantized sum. */
function expectedWeights(base: Float32Array, positions: number[], participants: number) {
  const sum = new Uint32Array(PARAMETERS + 1 + CLASSES.length ** 2);
  for (const position of positions) addInto(sum, encodeFor(position, participants));
  const aggregate = decodeAggregate({ sum, layout: { parameterCount: PARAMETERS, classCount: CLASSES.length }, clipNorm: CONFIG.clipNorm, participants });
  return { weights: base.map((value, index) => value + aggregate.delta[index]!), aggregate };
}

describe("federated rounds over the participant API", () => {
  it("five hospitals: the published version is base + FedAvg of the exact plaintext sum, validation only in aggregate", async () => {
    const model = await createModel();
    const consortium = await createConsortium(5);
    const round = await startRound({ db: db(), actor: consortium.actor, modelName: model.name, config: CONFIG, hospitalIds: consortium.hospitals.map((hospital) => hospital.id) });
    expect(round.stage).toBe("ADVERTISING");
    expect(round.threshold).toBe(4);

    const listed = await consortium.clients[0]!.listRounds();
    expect(listed.map((entry) => entry.id)).toContain(round.id);

    const outcomes = await Promise.all(
      consortium.clients.map((client, position) => runParticipantRound({ client, roundId: round.id, pollMs: 20, computeUpdate: async () => encodeFor(position, 5) })),
    );
    expect(outcomes.map((outcome) => outcome.stage)).toEqual(Array(5).fill("DONE"));
    const view = (await getRoundView({ db: db(), roundId: round.id }))!;
    expect(view.stage).toBe("DONE");
    expect(view.participants.map((seat) => seat.status)).toEqual(Array(5).fill("UNMASKED"));
    const { version, weights } = await readResultWeights(view.resultVersion!.id);
    expect(version.status).toBe("CANDIDATE");
    expect(version.version).toBe(2);
    const expected = expectedWeights(model.weights, [0, 1, 2, 3, 4], 5);
    // Bit for bit: the unmasked sum is the plaintext sum, decoded the same way.
    expect(Buffer.from(weights.buffer).equals(Buffer.from(Float32Array.from(expected.weights).buffer))).toBe(true);
    expect(view.metrics.validation).toEqual(expected.aggregate.validation);
    expect(version.sha256).toBe(createHash("sha256").update(version.weights!).digest("hex"));
    expect(view.metrics.survivors).toBe(5);
    expect(view.metrics.bytesReceived).toBeGreaterThan(5 * (PARAMETERS + 10) * 4);

    // The server stored each masked vector; none looks like its update (uniform, uncorrelated).
    const seat = await db().federatedParticipant.findFirstOrThrow({ where: { roundId: round.id, hospitalId: consortium.hospitals[2]!.id } });
    const masked = new Uint32Array(new Uint8Array(seat.masked!).slice().buffer);
    const plain = encodeFor(2, 5);
    // 3,010 values (12,040 bytes), 255 degrees of freedom: uniform bytes exceed 415 with probability about 1e-9
    // (Wilson-Hilferty), so the masks being random cannot fail this test; a structured vector scores far higher.
    expect(byteChiSquare(masked)).toBeLessThan(BYTE_CHI_SQUARE_1E9);
    expect(byteChiSquare(plain)).toBeGreaterThan(BYTE_CHI_SQUARE_1E9);
    expect(Math.abs(signedCorrelation(masked, plain))).toBeLessThan(0.1);
  });

  it("stays exact when one hospital drops after uploading and one before: the deadline drops them, the round goes on", async () => {
    const model = await createModel();
    const consortium = await createConsortium(5);
    const round = await startRound({ db: db(), actor: consortium.actor, modelName: model.name, config: { ...CONFIG, threshold: 3 }, hospitalIds: consortium.hospitals.map((hospital) => hospital.id) });
    const stopAfter = [undefined, "masked", undefined, "shares", undefined] as const;
    const silent = new Set<string>();
    const running = consortium.clients.map((client, position) =>
      runParticipantRound({ client, roundId: round.id, pollMs: 20, stopAfter: stopAfter[position], computeUpdate: async () => encodeFor(position, 5) }).then((outcome) => {
        silent.add(consortium.hospitals[position]!.id);
        return outcome;
      }),
    );
    // The two silent hospitals stop answering; the sweep (clock past the deadlines) drops them.
    const [view] = await Promise.all([sweepUntilFinished(round.id, silent), ...running]);
    expect(view.stage).toBe("DONE");
    const statusOf = (position: number) => view.participants.find((seat) => seat.hospitalId === consortium.hospitals[position]!.id)!;
    expect(statusOf(1).status).toBe("DROPPED");
    expect(statusOf(1).dropReason).toMatch(/unmasking/);
    expect(statusOf(3).status).toBe("DROPPED");
    expect(statusOf(3).dropReason).toMatch(/masked update/);
    // Hospital 1's update is in the sum (it uploaded); hospital 3's is not (its pairwise masks were removed).
    const { weights } = await readResultWeights(view.resultVersion!.id);
    const expected = expectedWeights(model.weights, [0, 1, 2, 4], 5);
    expect(Buffer.from(weights.buffer).equals(Buffer.from(Float32Array.from(expected.weights).buffer))).toBe(true);
    expect(view.metrics.survivors).toBe(4);
  });

  it("fails cleanly with fewer than t survivors and publishes nothing", async () => {
    const model = await createModel();
    const consortium = await createConsortium(4);
    const round = await startRound({ db: db(), actor: consortium.actor, modelName: model.name, config: { ...CONFIG, threshold: 3 }, hospitalIds: consortium.hospitals.map((hospital) => hospital.id) });
    const stopAfter = [undefined, "keys", "weights", undefined] as const;
    const silent = new Set<string>();
    const running = consortium.clients.map((client, position) =>
      runParticipantRound({ client, roundId: round.id, pollMs: 20, stopAfter: stopAfter[position], computeUpdate: async () => encodeFor(position, 4) }).then((outcome) => {
        silent.add(consortium.hospitals[position]!.id);
        return outcome;
      }),
    );
    const [view] = await Promise.all([sweepUntilFinished(round.id, silent), ...running]);
    expect(view.stage).toBe("FAILED");
    expect(view.failureReason).toMatch(/threshold is 3/);
    expect(view.resultVersion).toBeNull();
    expect(await db().modelVersion.count({ where: { name: model.name } })).toBe(1);
  });

  it("rejects bad input clearly, drops the offender, and the round goes on", async () => {
    const model = await createModel();
    const consortium = await createConsortium(5);
    const outsider = await createHospital(db());
    const outsiderClient = createParticipantClient({ serverUrl: "http://localhost:3000", credential: await createCredential(outsider.id, consortium.admin.id), fetchImpl: routeFetch });
    // With DP noise configured, the round reports the privacy budget spent (the hospitals add the noise).
    const round = await startRound({ db: db(), actor: consortium.actor, modelName: model.name, config: { ...CONFIG, threshold: 2, noiseStdPerParticipant: 0.5 }, hospitalIds: consortium.hospitals.map((hospital) => hospital.id) });
    const [good0, badKeys, badMasked, good3, badShares] = [0, 1, 2, 3, 4].map((position) => consortium.clients[position]!) as [TClient, TClient, TClient, TClient, TClient];
    const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as ParticipantApiError);

    // A hospital without a seat, an unknown round, a step that does not exist.
    expect((await refusal(outsiderClient.getView(round.id)))?.status).toBe(404);
    expect((await refusal(good0.getView(randomUUID())))?.status).toBe(404);
    expect((await refusal(good0.postJson(round.id, "nonsense" as "keys", {})))?.status).toBe(404);
    // Expired and revoked credentials.
    const expired = createParticipantClient({ serverUrl: "http://x", credential: await createCredential(consortium.hospitals[0]!.id, consortium.admin.id, { expiresAt: new Date(Date.now() - 1000) }), fetchImpl: routeFetch });
    const revoked = createParticipantClient({ serverUrl: "http://x", credential: await createCredential(consortium.hospitals[0]!.id, consortium.admin.id, { revokedAt: new Date() }), fetchImpl: routeFetch });
    expect((await refusal(expired.getView(round.id)))?.status).toBe(401);
    expect((await refusal(revoked.listRounds()))?.status).toBe(401);
    // Keys of the wrong length: 422 naming the field, and the sender is dropped.
    const badKeysRefusal = await refusal(badKeys.postJson(round.id, "keys", { cPublicKey: Buffer.alloc(31).toString("base64"), sPublicKey: Buffer.alloc(32).toString("base64") }));
    expect(badKeysRefusal?.status).toBe(422);
    expect((await badKeys.getView(round.id)).you.status).toBe("DROPPED");
    // Shares before the roster exists belong to another stage: 409, nothing changes.
    expect((await refusal(good0.postJson(round.id, "shares", { shares: [] })))?.status).toBe(409);
    expect((await good0.getView(round.id)).you.status).toBe("SELECTED");

    /** A hand-driven participant: valid keys, then whatever the test sends. */
    const scripted = async (client: TClient, position: number) => {
      const { createSecAggParticipant } = await import("@/lib/fl/secagg");
      const { encodeAdvertiseBody, toRoster } = await import("@/lib/fl/wire");
      const view = await client.getView(round.id);
      const participant = createSecAggParticipant({ roundId: round.id, participantId: view.you.participantId, input: encodeFor(position, 5) });
      const keys = encodeAdvertiseBody(participant.advertise());
      await client.postJson(round.id, "keys", keys);
      let current = await client.getView(round.id);
      const waitForStage = async (stage: string) => {
        while (current.round.stage !== stage) current = await pause(20).then(() => client.getView(round.id));
      };
      await waitForStage("SHARING");
      return { keys, sharesFor: () => participant.shareKeys(toRoster(round.id, current.roster!)).shares, waitForStage };
    };
    const { encodeShareKeysBody } = await import("@/lib/fl/wire");
    const runs = [
      runParticipantRound({ client: good0, roundId: round.id, pollMs: 20, computeUpdate: async () => encodeFor(0, 5) }),
      // Replays its keys once the stage has moved on (409), shares properly, then sends a vector of the wrong length.
      (async () => {
        const script = await scripted(badMasked, 2);
        expect((await refusal(badMasked.postJson(round.id, "keys", script.keys)))?.status).toBe(409);
        await badMasked.postJson(round.id, "shares", encodeShareKeysBody(script.sharesFor()));
        await script.waitForStage("MASKING");
        const wrongLength = await refusal(badMasked.postMasked(round.id, new Uint32Array(10)));
        expect(wrongLength?.status).toBe(422);
        expect(wrongLength?.message).toMatch(/little-endian uint32/);
      })(),
      // Sends a share for one peer only (the protocol wants one per roster member): 422, dropped; then 409.
      (async () => {
        const script = await scripted(badShares, 4);
        const shares = script.sharesFor();
        const first = encodeShareKeysBody(shares.slice(0, 1)).shares[0]!;
        const malformed = await refusal(badShares.postJson(round.id, "shares", { shares: [first, first] }));
        expect(malformed?.status).toBe(422);
        expect((await refusal(badShares.postJson(round.id, "shares", encodeShareKeysBody(shares))))?.status).toBe(409);
      })(),
      runParticipantRound({ client: good3, roundId: round.id, pollMs: 20, computeUpdate: async () => encodeFor(3, 5) }),
    ];
    await Promise.all(runs);
    const view = (await getRoundView({ db: db(), roundId: round.id }))!;
    expect(view.stage).toBe("DONE");
    expect(view.participants.filter((seat) => seat.status === "DROPPED").map((seat) => seat.dropReason)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^rejected keys/), expect.stringMatching(/^rejected shares/), expect.stringMatching(/^rejected masked/)]),
    );
    const { weights } = await readResultWeights(view.resultVersion!.id);
    expect(Buffer.from(weights.buffer).equals(Buffer.from(Float32Array.from(expectedWeights(model.weights, [0, 3], 5).weights).buffer))).toBe(true);
    // Two survivors each adding N(0, (0.5 C)^2): total noise multiplier 0.5 * sqrt(2); one round spent.
    expect(view.metrics.privacy).toMatchObject({ rounds: 1, delta: 1e-5 });
    expect(view.metrics.privacy!.noiseMultiplier).toBeCloseTo(0.5 * Math.SQRT2, 10);
    // rho = 1 / (2 z^2) = 1; epsilon = rho + 2 sqrt(rho ln(1 / delta)).
    expect(view.metrics.privacy!.epsilon).toBeCloseTo(1 + 2 * Math.sqrt(Math.log(1e5)), 6);
  });

  it("an all-zero or other low-order X25519 key is refused and drops only its sender; the round completes for the others", async () => {
    const model = await createModel();
    const consortium = await createConsortium(6);
    const round = await startRound({ db: db(), actor: consortium.actor, modelName: model.name, config: { ...CONFIG, threshold: 3 }, hospitalIds: consortium.hospitals.map((hospital) => hospital.id) });
    const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as ParticipantApiError);
    const [zeroKeys, orderEightKey] = [consortium.clients[1]!, consortium.clients[3]!];
    const { generateKeyPair } = await import("@/lib/fl/secagg");
    const valid = Buffer.from(generateKeyPair().publicKey).toString("base64");
    // u = 325606...504: a point of order 8 (RFC 7748 section 6.1), well-formed and 32 bytes long.
    const orderEight = Buffer.from("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", "hex").toString("base64");

    const zeroRefusal = await refusal(zeroKeys.postJson(round.id, "keys", { cPublicKey: Buffer.alloc(32).toString("base64"), sPublicKey: Buffer.alloc(32).toString("base64") }));
    expect(zeroRefusal?.status).toBe(422);
    expect(zeroRefusal?.message).toMatch(/low-order/);
    expect((await refusal(orderEightKey.postJson(round.id, "keys", { cPublicKey: valid, sPublicKey: orderEight })))?.status).toBe(422);
    for (const client of [zeroKeys, orderEightKey]) expect((await client.getView(round.id)).you.status).toBe("DROPPED");
    // Keys stored before this check existed: checked again when advertising closes, never put in the roster.
    await db().federatedParticipant.update({
      where: { roundId_hospitalId: { roundId: round.id, hospitalId: consortium.hospitals[5]!.id } },
      data: { status: "ADVERTISED", cPublicKey: new Uint8Array(32), sPublicKey: new Uint8Array(32), advertisedAt: new Date() },
    });

    const outcomes = await Promise.all(
      [0, 2, 4].map((position) => runParticipantRound({ client: consortium.clients[position]!, roundId: round.id, pollMs: 20, computeUpdate: async () => encodeFor(position, 6) })),
    );
    expect(outcomes.map((outcome) => outcome.stage)).toEqual(["DONE", "DONE", "DONE"]);
    const view = (await getRoundView({ db: db(), roundId: round.id }))!;
    expect(view.stage).toBe("DONE");
    const seatOf = (position: number) => view.participants.find((seat) => seat.hospitalId === consortium.hospitals[position]!.id)!;
    expect(seatOf(1).dropReason).toMatch(/^rejected keys: cPublicKey: .*low-order/);
    expect(seatOf(3).dropReason).toMatch(/^rejected keys: sPublicKey: .*low-order/);
    expect(seatOf(5).dropReason).toMatch(/^rejected keys: cPublicKey: .*low-order/);
    expect(view.metrics.survivors).toBe(3);
    const { weights } = await readResultWeights(view.resultVersion!.id);
    expect(Buffer.from(weights.buffer).equals(Buffer.from(Float32Array.from(expectedWeights(model.weights, [0, 2, 4], 6).weights).buffer))).toBe(true);
  });

  it("carries server momentum from the round that produced the base version (FedAvgM)", async () => {
    const model = await createModel();
    const consortium = await createConsortium(3);
    const hospitalIds = consortium.hospitals.map((hospital) => hospital.id);
    const config = { ...CONFIG, serverMomentum: 0.5 };
    const runRound = async (offset: number) => {
      const round = await startRound({ db: db(), actor: consortium.actor, modelName: model.name, config, hospitalIds });
      await Promise.all(consortium.clients.map((client, position) => runParticipantRound({ client, roundId: round.id, pollMs: 20, computeUpdate: async () => encodeFor(position + offset, 3) })));
      return (await getRoundView({ db: db(), roundId: round.id }))!;
    };
    const first = await runRound(0);
    const { weights: afterFirst } = await readResultWeights(first.resultVersion!.id);
    await activateModelVersion({ db: db(), actor: consortium.actor, versionId: first.resultVersion!.id });
    const second = await runRound(1);
    const { weights: afterSecond } = await readResultWeights(second.resultVersion!.id);
    // v1 = d1; v2 = 0.5 v1 + d2; w2 = w1 + v2.
    const d1 = expectedWeights(model.weights, [0, 1, 2], 3).aggregate.delta;
    const d2 = expectedWeights(model.weights, [1, 2, 3], 3).aggregate.delta;
    const expected = Float32Array.from(afterFirst, (value, index) => value + (0.5 * d1[index]! + d2[index]!));
    expect(Buffer.from(afterSecond.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it("a cancelled round fails at once, publishes nothing and frees the model for a new round", async () => {
    const model = await createModel();
    const consortium = await createConsortium(3);
    const hospitalIds = consortium.hospitals.map((hospital) => hospital.id);
    const round = await startRound({ db: db(), actor: consortium.actor, modelName: model.name, config: CONFIG, hospitalIds });
    await expect(startRound({ db: db(), actor: consortium.actor, modelName: model.name, config: CONFIG, hospitalIds })).rejects.toMatchObject({ code: "CONFLICT" });
    const cancelled = await cancelRound({ db: db(), actor: consortium.actor, roundId: round.id });
    expect(cancelled.stage).toBe("FAILED");
    expect(cancelled.failureReason).toMatch(/cancelled by a hospital admin in stage ADVERTISING/);
    await expect(cancelRound({ db: db(), actor: consortium.actor, roundId: round.id })).rejects.toMatchObject({ code: "CONFLICT" });
    // A hospital still polling learns the round ended and sends nothing more.
    expect((await consortium.clients[0]!.getView(round.id)).round.stage).toBe("FAILED");
    const again = await startRound({ db: db(), actor: consortium.actor, modelName: model.name, config: CONFIG, hospitalIds });
    expect(again.stage).toBe("ADVERTISING");
    await cancelRound({ db: db(), actor: consortium.actor, roundId: again.id });
    expect(await db().modelVersion.count({ where: { name: model.name } })).toBe(1);
  });
});
