// Bad input to the HE routes: truncated, oversized, wrong-parameter and random-bytes ciphertexts and keys
// get a 4xx with a reason, and the server keeps serving. Then a fuzz run of mutated uploads: nothing may
// produce a 5xx or take the worker pool down.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postForecast } from "@/app/api/patients/[patientId]/he/forecasts/route";
import { PUT as putKeys } from "@/app/api/patients/[patientId]/he/keys/route";
import type { TDatabase } from "@/lib/db/open-database";
import { computeForecastFeatures, HISTORY_READINGS } from "@/lib/glucose-forecast/features";
import { createHeClient, type THeClient } from "@/lib/he/create-he-client";
import { closeHeEvalPool, getHeEvalPool, startHeEvalPool } from "@/lib/he/he-eval-pool";
import { loadSeal, type TSeal } from "@/lib/he/load-seal";
import { HE_PARAMS, MAX_FORECAST_CIPHERTEXT_BYTES, MAX_KEY_SET_BYTES } from "@/lib/he/params";
import { createRng } from "@/lib/sim/rng";
import { createWorld, signInAs, type TSignedIn } from "../helpers/factories";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { callBinaryRoute } from "../helpers/call-binary-route";
import { createTestDatabase } from "../helpers/test-database";


let database: TDatabase;
let patient: TSignedIn;
let patientId: string;
let seal: TSeal;
let client: THeClient;
let galoisKeys: Uint8Array;
let fingerprint: string;
let validCiphertext: Uint8Array;

const features = computeForecastFeatures({ readingsMgDl: Array.from({ length: HISTORY_READINGS }, (_, index) => 150 - index), carbRatioGPerU: 10, correctionFactorMgDlPerU: 50 });

const putKeyBytes = (body: Uint8Array, headers: Record<string, string> = { "x-he-params-id": HE_PARAMS.id }) =>
  callBinaryRoute(putKeys, { method: "PUT", path: `/api/patients/${patientId}/he/keys`, params: { patientId }, body, signedIn: patient, headers });
const postCiphertext = (body: Uint8Array, headers: Record<string, string> = { "x-he-params-id": HE_PARAMS.id, "x-he-key-fingerprint": fingerprint }, contentType?: string) =>
  callBinaryRoute(postForecast, { method: "POST", path: `/api/patients/${patientId}/he/forecasts`, params: { patientId }, body, signedIn: patient, headers, contentType });

/** A SEAL context with other parameters (N = 8192), to make objects that are valid SEAL but not ours. */
function createForeignObjects() {
  const parms = seal.EncryptionParameters(seal.SchemeType.ckks);
  parms.setPolyModulusDegree(8192);
  const modulus = seal.CoeffModulus.Create(8192, Int32Array.from([60, 40, 60]));
  parms.setCoeffModulus(modulus);
  const context = seal.Context(parms, true, seal.SecurityLevel.tc128);
  const keyGenerator = seal.KeyGenerator(context);
  const publicKey = keyGenerator.createPublicKey();
  const encoder = seal.CKKSEncoder(context);
  const encryptor = seal.Encryptor(context, publicKey, keyGenerator.secretKey());
  const plain = encoder.encode(Float64Array.from(features), 2 ** 26)!;
  const ciphertext = encryptor.encryptSymmetricSerializable(plain);
  const galois = keyGenerator.createGaloisKeysSerializable(Int32Array.from(HE_PARAMS.rotationSteps));
  const result = { ciphertext: ciphertext.saveArray(seal.ComprModeType.zstd), galoisKeys: galois.saveArray(seal.ComprModeType.zstd) };
  for (const object of [galois, ciphertext, plain, encryptor, encoder, publicKey, keyGenerator, context, modulus, parms]) object.delete();
  return result;
}

/** Objects under our parameters that are not what the routes accept. */
function createOwnWrongObjects() {
  const parms = seal.EncryptionParameters(seal.SchemeType.ckks);
  parms.setPolyModulusDegree(HE_PARAMS.polyModulusDegree);
  const modulus = seal.CoeffModulus.Create(HE_PARAMS.polyModulusDegree, Int32Array.from(HE_PARAMS.coeffModulusBits));
  parms.setCoeffModulus(modulus);
  const context = seal.Context(parms, true, seal.SecurityLevel.tc128);
  const keyGenerator = seal.KeyGenerator(context);
  const secretKey = keyGenerator.secretKey();
  const publicKey = keyGenerator.createPublicKey();
  const relinKeys = keyGenerator.createRelinKeys();
  const fewGalois = keyGenerator.createGaloisKeys(Int32Array.from([1, 2]));
  const encoder = seal.CKKSEncoder(context);
  const encryptor = seal.Encryptor(context, publicKey, secretKey);
  const evaluator = seal.Evaluator(context);
  const slots = new Float64Array(encoder.slotCount);
  slots.set(features);
  const plainAtOtherScale = encoder.encode(slots, 2 ** 30)!;
  const otherScale = encryptor.encryptSymmetric(plainAtOtherScale) as ReturnType<typeof seal.CipherText>;
  const plain = encoder.encode(slots, 2 ** 26)!;
  const lastLevel = encryptor.encryptSymmetric(plain) as ReturnType<typeof seal.CipherText>;
  evaluator.cipherModSwitchToNext(lastLevel, lastLevel);
  const threePolys = encryptor.encryptSymmetric(plain) as ReturnType<typeof seal.CipherText>;
  evaluator.multiply(threePolys, threePolys, threePolys);
  const zstd = seal.ComprModeType.zstd;
  const result = {
    secretKey: secretKey.saveArray(zstd),
    publicKey: publicKey.saveArray(zstd),
    relinKeys: relinKeys.saveArray(zstd),
    fewGalois: fewGalois.saveArray(zstd),
    otherScale: otherScale.saveArray(zstd),
    lastLevel: lastLevel.saveArray(zstd),
    threePolys: threePolys.saveArray(zstd),
  };
  for (const object of [threePolys, lastLevel, plain, otherScale, plainAtOtherScale, evaluator, encryptor, encoder, fewGalois, relinKeys, publicKey, secretKey, keyGenerator, context, modulus, parms]) object.delete();
  return result;
}

function randomBytes(length: number, seed: string): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length }, () => rng.int(0, 255));
}

/** Random bytes behind a well-formed SEAL header (magic, version 4.1, zstd, declared size = length). */
function randomWithSealHeader(length: number, seed: string): Uint8Array {
  const bytes = randomBytes(length, seed);
  bytes.set([0x5e, 0xa1, 0x10, 0x04, 0x01, 0x02, 0, 0]);
  new DataView(bytes.buffer).setBigUint64(8, BigInt(length), true);
  return bytes;
}

function expectRefusal(response: Awaited<ReturnType<typeof callBinaryRoute>>, status: number, reason: RegExp) {
  expect(response.status).toBe(status);
  expect(response.json?.error?.message).toMatch(reason);
}

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabaseInServerContext(database);
  const world = await createWorld(database.prisma);
  patientId = world.home.patient.id;
  patient = await signInAs(database.prisma, world.home.patientUser.id);
  seal = await loadSeal();
  client = createHeClient({ seal });
  galoisKeys = client.createEvaluationKeys();
  validCiphertext = client.encryptFeatures(features);
  await startHeEvalPool({ size: 1 });
  const registered = await putKeyBytes(galoisKeys);
  expect(registered.status).toBe(201);
  fingerprint = (registered.json?.keySet as { fingerprint: string }).fingerprint;
}, 180_000);

afterAll(async () => {
  client?.delete();
  await closeHeEvalPool();
  await database?.close();
});

describe("bad ciphertexts", () => {
  it("refuses each with a 4xx and a reason", async () => {
    const wrong = createOwnWrongObjects();
    const foreign = createForeignObjects();
    expectRefusal(await postCiphertext(validCiphertext.slice(0, validCiphertext.length >> 1)), 400, /truncated/);
    expectRefusal(await postCiphertext(new Uint8Array(MAX_FORECAST_CIPHERTEXT_BYTES + 1)), 413, /exceeds/);
    expectRefusal(await postCiphertext(randomBytes(40_000, "random-ct")), 400, /not a serialized SEAL object/);
    expectRefusal(await postCiphertext(randomWithSealHeader(40_000, "headed-ct")), 400, /not valid for/);
    expectRefusal(await postCiphertext(foreign.ciphertext), 400, /not valid for/);
    expectRefusal(await postCiphertext(wrong.otherScale), 422, /scale/);
    expectRefusal(await postCiphertext(wrong.lastLevel), 422, /first data level/);
    expectRefusal(await postCiphertext(wrong.threePolys), 422, /2 polynomials|scale/);
    expectRefusal(await postCiphertext(wrong.secretKey), 400, /not valid for/);
    expectRefusal(await postCiphertext(validCiphertext, { "x-he-params-id": "ckks-n8192-other", "x-he-key-fingerprint": fingerprint }), 422, /x-he-params-id/);
    expectRefusal(await postCiphertext(validCiphertext, { "x-he-params-id": HE_PARAMS.id, "x-he-key-fingerprint": "f".repeat(64) }), 409, /active key set/);
    expectRefusal(await postCiphertext(validCiphertext, undefined, "application/json"), 415, /octet-stream/);
    // Still serving.
    expect((await postCiphertext(client.encryptFeatures(features))).status).toBe(200);
  }, 120_000);
});

describe("bad keys", () => {
  it("refuses each with a 4xx and a reason, and keeps the registered keys", async () => {
    const wrong = createOwnWrongObjects();
    const foreign = createForeignObjects();
    expectRefusal(await putKeyBytes(galoisKeys.slice(0, 1000)), 400, /truncated/);
    expectRefusal(await putKeyBytes(new Uint8Array(MAX_KEY_SET_BYTES + 1)), 413, /exceeds/);
    expectRefusal(await putKeyBytes(randomBytes(100_000, "random-keys")), 400, /not a serialized SEAL object/);
    expectRefusal(await putKeyBytes(randomWithSealHeader(100_000, "headed-keys")), 400, /not valid for/);
    expectRefusal(await putKeyBytes(foreign.galoisKeys), 400, /not valid for/);
    expectRefusal(await putKeyBytes(wrong.fewGalois), 422, /missing rotation keys for steps 4, 8/);
    // A secret key is never accepted in place of evaluation keys (SEAL objects carry no type tag, so this matters).
    expect((await putKeyBytes(wrong.secretKey)).status).toBeGreaterThanOrEqual(400);
    expect((await putKeyBytes(wrong.secretKey)).status).toBeLessThan(500);
    expect((await putKeyBytes(wrong.publicKey)).status).toBeGreaterThanOrEqual(400);
    expect((await putKeyBytes(wrong.publicKey)).status).toBeLessThan(500);
    expectRefusal(await putKeyBytes(wrong.relinKeys), 422, /missing rotation keys|exactly/);
    expectRefusal(await putKeyBytes(galoisKeys, { "x-he-params-id": "bfv-whatever" }), 422, /x-he-params-id/);
    const rows = await database.prisma.heKeySet.findMany({ where: { patientId } });
    expect(rows.filter((row) => row.revokedAt === null).map((row) => row.fingerprint)).toEqual([fingerprint]);
    expect((await postCiphertext(client.encryptFeatures(features))).status).toBe(200);
  }, 120_000);
});

describe("fuzz", () => {
  it("answers every mutated ciphertext and key upload with 200 or a 4xx, and stays up", async () => {
    const rng = createRng("he-fuzz");
    const statuses = new Map<number, number>();
    const mutate = (source: Uint8Array): Uint8Array => {
      const kind = rng.int(0, 3);
      if (kind === 0) return source.slice(0, rng.int(0, source.length - 1));
      const copy = source.slice();
      if (kind === 1) {
        for (let flips = rng.int(1, 8); flips > 0; flips -= 1) copy[rng.int(0, copy.length - 1)]! ^= 1 << rng.int(0, 7);
        return copy;
      }
      if (kind === 2) {
        // Header fields (size, version, compression) are where parsers trust input most.
        copy[rng.int(0, 15)] = rng.int(0, 255);
        return copy;
      }
      const start = rng.int(0, copy.length - 1);
      copy.set(randomBytes(Math.min(copy.length - start, rng.int(1, 4096)), `fuzz-${start}`), start);
      return copy;
    };
    for (let round = 0; round < 150; round += 1) {
      const response = await postCiphertext(mutate(validCiphertext));
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status === 200 || (response.status >= 400 && response.status < 500), `round ${round}: ${response.status}`).toBe(true);
      if (response.status !== 200) expect(response.json?.error?.message).toBeTruthy();
    }
    for (let round = 0; round < 30; round += 1) {
      const response = await putKeyBytes(mutate(galoisKeys));
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status < 500, `key round ${round}: ${response.status}`).toBe(true);
      // A mutation SEAL still accepts registers new keys; keep using whichever set is active.
      if (response.status === 201) fingerprint = (response.json?.keySet as { fingerprint: string }).fingerprint;
    }
    console.log(`fuzz statuses: ${JSON.stringify(Object.fromEntries(statuses))}, pool ${JSON.stringify(getHeEvalPool().stats())}`);
    // Malformed uploads make the worker replace its SEAL instance, never the worker itself.
    expect(getHeEvalPool().stats().restarts).toBe(0);
    // Re-register known-good keys in case a mutated set became active, then a normal forecast works.
    const registered = await putKeyBytes(galoisKeys);
    fingerprint = (registered.json?.keySet as { fingerprint: string }).fingerprint;
    const response = await postCiphertext(client.encryptFeatures(features));
    expect(response.status).toBe(200);
  }, 300_000);
});
