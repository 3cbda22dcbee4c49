// Live round progress over a real socket.io server: every hospital's admins receive "fl:round" with the
// round's view; clinicians and patients do not.
import { randomUUID } from "node:crypto";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TDatabase } from "@/lib/db/open-database";
import type { TRoundView } from "@/lib/fl/rounds/round-views";
import { createWorld } from "../helpers/factories";
import { connectSignedIn, startTestRealtime, type TTestRealtime } from "../helpers/realtime";
import { createTestDatabase } from "../helpers/test-database";

let database: TDatabase;
let server: TTestRealtime;
const sockets: Socket[] = [];
const db = () => database.prisma;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestRealtime({ db: db() });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server.close();
  await database.close();
});

async function connectAs(userId: string) {
  const socket = await connectSignedIn(server.url, db(), userId);
  sockets.push(socket);
  const received: TRoundView[] = [];
  socket.on("fl:round", (view: TRoundView) => received.push(view));
  return received;
}

/** A round of a throwaway model with one seat per hospital (the round lifecycle itself is lib/fl/rounds'). */
async function createRound(hospitalIds: string[], createdById: string) {
  const base = await db().modelVersion.create({
    data: { name: `progress-model-${randomUUID().slice(0, 8)}`, version: 1, status: "ACTIVE", sha256: "0".repeat(64), sizeBytes: 16, manifest: {}, weights: new Uint8Array(16) },
  });
  const config = { threshold: 2, clipNorm: 5, sampleCap: 400, noiseStdPerParticipant: 0, localEpochs: 1, learningRate: 0.003, batchSize: 32, trainingTimeoutS: 60, stageTimeoutS: 60 };
  const seats = [];
  for (const hospitalId of hospitalIds) {
    const credential = await db().hospitalCredential.create({ data: { hospitalId, label: "progress test", tokenHash: randomUUID(), createdById, expiresAt: new Date(Date.now() + 3_600_000) } });
    seats.push({ hospitalId, credentialId: credential.id });
  }
  return db().federatedRound.create({
    data: { modelName: base.name, threshold: 2, config, vectorLength: 8, stageDeadlineAt: new Date(Date.now() + 60_000), baseVersionId: base.id, participants: { create: seats } },
  });
}

describe("live federated round progress", () => {
  it("pushes each change to the admins of every hospital, and to nobody else", async () => {
    const world = await createWorld(db());
    const homeAdmin = await connectAs(world.home.admin.id);
    const awayAdmin = await connectAs(world.away.admin.id);
    const clinician = await connectAs(world.home.clinician.id);
    const patient = await connectAs(world.home.patientUser.id);

    const round = await createRound([world.home.hospital.id, world.away.hospital.id], world.home.admin.id);
    server.realtime.flRounds.publish(round.id);
    await expect.poll(() => [homeAdmin.length, awayAdmin.length]).toEqual([1, 1]);
    expect(homeAdmin[0]).toMatchObject({ id: round.id, stage: "ADVERTISING", threshold: 2 });
    expect(homeAdmin[0]!.participants.map((seat) => seat.hospitalName).sort()).toEqual([world.home.hospital.name, world.away.hospital.name].sort());
    expect(awayAdmin[0]).toEqual(homeAdmin[0]);

    // The next change of the same round arrives too, carrying the state at the time it is sent.
    await db().federatedParticipant.update({ where: { roundId_hospitalId: { roundId: round.id, hospitalId: world.away.hospital.id } }, data: { status: "DROPPED", dropReason: "timeout" } });
    server.realtime.flRounds.publish(round.id);
    await expect.poll(() => awayAdmin.length, { timeout: 5_000 }).toBe(2);
    expect(awayAdmin[1]!.participants.find((seat) => seat.hospitalId === world.away.hospital.id)).toMatchObject({ status: "DROPPED", dropReason: "timeout" });

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(clinician).toEqual([]);
    expect(patient).toEqual([]);
  });
});
