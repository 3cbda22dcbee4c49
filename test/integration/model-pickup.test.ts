// A version published by a federated round reaches the running ECG classifier once an admin activates
// it: the registry row is written out as a verified artifact, a new worker pool loads it, strips go to
// it. A version whose weights do not match its manifest is never served; the running one keeps going.
import { createHash, randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TDatabase } from "@/lib/db/open-database";
import { startEcgClassifierPool } from "@/lib/detect/ecg/create-ecg-classifier-pool";
import { createSwappableEcgClassifier } from "@/lib/detect/ecg/create-swappable-ecg-classifier";
import { activateModelVersion, registerCommittedModel } from "@/lib/fl/rounds";
import { materializeActiveModel } from "@/lib/models/materialize-model-version";
import { watchActiveModel } from "@/lib/models/watch-active-model";
import { generateEcgStrip } from "@/lib/sim/ecg";
import { createHospital, createUser, signInAs } from "../helpers/factories";
import { createTestDatabase } from "../helpers/test-database";

const COMMITTED_DIR = path.resolve(import.meta.dirname, "../../public/models/ecg-cnn");
const COMMITTED_VERSION = (JSON.parse(readFileSync(path.join(COMMITTED_DIR, "manifest.json"), "utf8")) as { version: string }).version;
const CANDIDATE_VERSION = "99.0.0";
let database: TDatabase;
let dataDir: string;
const db = () => database.prisma;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "pulseguard-models-"));
});

afterAll(async () => {
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A candidate as a round would publish it: the committed weights nudged, its own manifest and sha256. */
async function createCandidate(name: string, options: { tamper?: boolean } = {}) {
  const weights = new Float32Array(new Uint8Array(readFileSync(path.join(COMMITTED_DIR, "weights.bin"))).slice().buffer);
  // The output bias is the last values, "noise" last: a shift towards "noise" changes the probabilities, not the topology.
  weights[weights.length - 1]! += 0.5;
  const bytes = new Uint8Array(weights.buffer);
  const manifest = JSON.parse(readFileSync(path.join(COMMITTED_DIR, "manifest.json"), "utf8")) as Record<string, unknown>;
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const stored = options.tamper ? Uint8Array.from(bytes, (byte, index) => (index === 100 ? byte ^ 1 : byte)) : bytes;
  return db().modelVersion.create({
    data: { name, version: 2, status: "CANDIDATE", sha256, sizeBytes: bytes.byteLength, manifest: { ...manifest, version: CANDIDATE_VERSION, sha256, metrics: {} }, weights: stored },
  });
}

describe("active model pick-up", () => {
  it("serves an activated version after verifying it, and refuses a tampered one while the old keeps serving", async () => {
    const name = `ecg-cnn-test-${randomUUID().slice(0, 8)}`;
    await registerCommittedModel({ db: db(), modelDir: COMMITTED_DIR, name });
    const hospital = await createHospital(db());
    const admin = await signInAs(db(), (await createUser(db(), { hospitalId: hospital.id, role: "HOSPITAL_ADMIN" })).id);

    const initial = await materializeActiveModel({ db: db(), name, committedDir: COMMITTED_DIR, dataDir });
    expect(initial?.modelDir).toBe(COMMITTED_DIR);
    const pool = startEcgClassifierPool({ size: 1, maxQueued: 8, taskTimeoutMs: 30_000, modelDir: initial!.modelDir });
    await pool.ready();
    const classifier = createSwappableEcgClassifier(pool);
    const served: string[] = [];
    const watcher = watchActiveModel({
      db: db(),
      name,
      committedDir: COMMITTED_DIR,
      dataDir,
      intervalMs: 3_600_000,
      initial,
      serve: async (model) => {
        await classifier.swap(startEcgClassifierPool({ size: 1, maxQueued: 8, taskTimeoutMs: 30_000, modelDir: model.modelDir }));
        served.push(model.sha256);
      },
    });
    try {
      const strip = generateEcgStrip({ seed: 7, rhythm: "normal_sinus", heartRateBpm: 70, noiseLevel: 0.1, sampleRateHz: 250, durationS: 30 });
      const before = await classifier.classify({ samples: strip.samples, sampleRateHz: 250 });
      expect(before.modelVersion).toBe(`ecg-cnn@${COMMITTED_VERSION}`);

      // Tampered: activation is allowed (the row looks fine) but the artifact fails verification.
      const tampered = await createCandidate(name, { tamper: true });
      await activateModelVersion({ db: db(), actor: admin.actor, versionId: tampered.id });
      await watcher.refresh();
      expect(served).toEqual([]);
      expect((await classifier.classify({ samples: strip.samples, sampleRateHz: 250 })).modelVersion).toBe(`ecg-cnn@${COMMITTED_VERSION}`);

      await db().modelVersion.delete({ where: { id: tampered.id } });
      const candidate = await createCandidate(name);
      await activateModelVersion({ db: db(), actor: admin.actor, versionId: candidate.id });
      await watcher.refresh();
      expect(served).toEqual([candidate.sha256]);
      const after = await classifier.classify({ samples: strip.samples, sampleRateHz: 250 });
      expect(after.modelVersion).toBe(`ecg-cnn@${CANDIDATE_VERSION}`);
      expect(after.probabilities.noise).toBeGreaterThan(before.probabilities.noise);
      const statuses = await db().modelVersion.findMany({ where: { name }, select: { version: true, status: true }, orderBy: { version: "asc" } });
      expect(statuses).toEqual([
        { version: 1, status: "RETIRED" },
        { version: 2, status: "ACTIVE" },
      ]);
    } finally {
      watcher.stop();
      await classifier.close();
    }
  });

  it("registers a newly committed artifact as the next version: active after a committed one, a candidate after a federated one", async () => {
    const name = `ecg-cnn-test-${randomUUID().slice(0, 8)}`;
    const hospital = await createHospital(db());
    const admin = await signInAs(db(), (await createUser(db(), { hospitalId: hospital.id, role: "HOSPITAL_ADMIN" })).id);
    /** A copy of the committed folder with the output bias nudged, as a retrained model would arrive. */
    const commitArtifact = (nudge: number) => {
      const dir = mkdtempSync(path.join(dataDir, "committed-"));
      cpSync(COMMITTED_DIR, dir, { recursive: true });
      const weights = new Float32Array(new Uint8Array(readFileSync(path.join(dir, "weights.bin"))).slice().buffer);
      weights[weights.length - 1]! += nudge;
      writeFileSync(path.join(dir, "weights.bin"), new Uint8Array(weights.buffer));
      const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as Record<string, unknown>;
      writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ ...manifest, sha256: createHash("sha256").update(new Uint8Array(weights.buffer)).digest("hex") }));
      return dir;
    };
    const versions = () => db().modelVersion.findMany({ where: { name }, select: { version: true, status: true }, orderBy: { version: "asc" } });

    await registerCommittedModel({ db: db(), modelDir: COMMITTED_DIR, name });
    await registerCommittedModel({ db: db(), modelDir: COMMITTED_DIR, name });
    expect(await versions()).toEqual([{ version: 1, status: "ACTIVE" }]);
    const retrained = commitArtifact(0.1);
    await registerCommittedModel({ db: db(), modelDir: retrained, name });
    expect(await versions()).toEqual([
      { version: 1, status: "RETIRED" },
      { version: 2, status: "ACTIVE" },
    ]);
    const served = await materializeActiveModel({ db: db(), name, committedDir: retrained, dataDir });
    expect(served).toMatchObject({ version: 2, modelDir: retrained });

    // An admin put a federated version in service: the next committed artifact waits as a candidate.
    const federated = await db().modelVersion.create({
      data: { name, version: 3, status: "CANDIDATE", sha256: "f".repeat(64), sizeBytes: 4, manifest: { metrics: { federated: { roundId: "r" } } }, weights: new Uint8Array(4) },
    });
    await activateModelVersion({ db: db(), actor: admin.actor, versionId: federated.id });
    await registerCommittedModel({ db: db(), modelDir: commitArtifact(0.2), name });
    expect(await versions()).toEqual([
      { version: 1, status: "RETIRED" },
      { version: 2, status: "RETIRED" },
      { version: 3, status: "ACTIVE" },
      { version: 4, status: "CANDIDATE" },
    ]);
  });
});
