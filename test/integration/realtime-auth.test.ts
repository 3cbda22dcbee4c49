// Socket handshakes and subscriptions follow the same access policy as the HTTP routes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TDatabase } from "@/lib/db/open-database";
import { rooms } from "@/lib/realtime/events";
import { parseConfig } from "@/lib/config";
import { createWorld, signInAs } from "../helpers/factories";
import { connectClient, startTestRealtime, type TTestRealtime } from "../helpers/realtime";
import { createTestDatabase } from "../helpers/test-database";

let database: TDatabase;
let server: TTestRealtime;
let world: Awaited<ReturnType<typeof createWorld>>;

beforeAll(async () => {
  database = await createTestDatabase();
  world = await createWorld(database.prisma);
  server = await startTestRealtime({ db: database.prisma });
});

afterAll(async () => {
  await server.close();
  await database.close();
});

const cookieFor = async (userId: string) => (await signInAs(database.prisma, userId)).cookie;

type TAckResult = { ok: boolean; error?: { code: string } };

describe("user namespace", () => {
  it("refuses a handshake without a session, with a bad session, or with a device token", async () => {
    await expect(connectClient(server.url, {})).rejects.toThrow("UNAUTHENTICATED");
    await expect(connectClient(server.url, { cookie: "pg_session=forged" })).rejects.toThrow("UNAUTHENTICATED");
    await expect(connectClient(server.url, { token: world.home.deviceToken })).rejects.toThrow("UNAUTHENTICATED");
  });

  it("refuses a cookie-authenticated handshake from a foreign origin", async () => {
    const cookie = await cookieFor(world.home.clinician.id);
    await expect(connectClient(server.url, { cookie, origin: "https://evil.example" })).rejects.toThrow();
  });

  const watchCases = [
    { actor: "patientSelf", user: () => world.home.patientUser.id, allowed: true },
    { actor: "otherPatient", user: () => world.home.otherPatient.userId, allowed: false },
    { actor: "careClinician", user: () => world.home.clinician.id, allowed: true },
    { actor: "otherClinician", user: () => world.home.otherClinician.id, allowed: false },
    { actor: "admin", user: () => world.home.admin.id, allowed: true },
    { actor: "otherHospitalAdmin", user: () => world.away.admin.id, allowed: false },
  ];
  for (const testCase of watchCases) {
    it(`patient:watch on the home patient as ${testCase.actor} -> ${testCase.allowed ? "joined" : "NOT_FOUND"}`, async () => {
      const socket = await connectClient(server.url, { cookie: await cookieFor(testCase.user()) });
      try {
        const result = (await socket.emitWithAck("patient:watch", { patientId: world.home.patient.id })) as TAckResult;
        expect(result.ok).toBe(testCase.allowed);
        if (!testCase.allowed) expect(result.error?.code).toBe("NOT_FOUND");
        const members = await server.realtime.io.in(rooms.patient(world.home.patient.id)).fetchSockets();
        expect(members.some((member) => member.id === socket.id)).toBe(testCase.allowed);
      } finally {
        socket.close();
      }
    });
  }

  it("patients:watch joins every listed patient only when all are visible, and joins none otherwise", async () => {
    const inRoom = async (patientId: string, socketId: string) =>
      (await server.realtime.io.in(rooms.patient(patientId)).fetchSockets()).some((member) => member.id === socketId);
    const admin = await connectClient(server.url, { cookie: await cookieFor(world.home.admin.id) });
    const clinician = await connectClient(server.url, { cookie: await cookieFor(world.home.clinician.id) });
    try {
      const both = [world.home.patient.id, world.home.otherPatient.id];
      expect(await admin.emitWithAck("patients:watch", { patientIds: both })).toMatchObject({ ok: true, data: { patientIds: both } });
      expect(await inRoom(world.home.otherPatient.id, admin.id!)).toBe(true);
      // The care clinician sees the home patient but not the other one: the whole request is refused.
      expect(await clinician.emitWithAck("patients:watch", { patientIds: both })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
      expect(await inRoom(world.home.patient.id, clinician.id!)).toBe(false);
      // Another hospital's patient, a malformed id, or too many ids are refused the same way.
      expect(await clinician.emitWithAck("patients:watch", { patientIds: [world.away.patient.id] })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
      expect(await clinician.emitWithAck("patients:watch", { patientIds: ["not-a-uuid"] })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
      expect(await clinician.emitWithAck("patients:watch", { patientIds: Array.from({ length: 501 }, () => world.home.patient.id) })).toMatchObject({
        ok: false,
        error: { code: "VALIDATION_FAILED" },
      });
      expect(await clinician.emitWithAck("patients:watch", { patientIds: [world.home.patient.id] })).toMatchObject({ ok: true });
      expect(await inRoom(world.home.patient.id, clinician.id!)).toBe(true);
    } finally {
      admin.close();
      clinician.close();
    }
  });

  it("answers a malformed payload with a validation error and stays connected", async () => {
    const socket = await connectClient(server.url, { cookie: await cookieFor(world.home.clinician.id) });
    try {
      const result = (await socket.emitWithAck("patient:watch", { patientId: 42, extra: true })) as TAckResult;
      expect(result).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
      const whoami = (await socket.emitWithAck("session:whoami")) as { ok: boolean; data: { userId: string } };
      expect(whoami.data.userId).toBe(world.home.clinician.id);
    } finally {
      socket.close();
    }
  });
});

describe("device namespace", () => {
  it("accepts a device token and identifies the device", async () => {
    const socket = await connectClient(server.url, { namespace: "/device", token: world.home.deviceToken });
    try {
      const result = (await socket.emitWithAck("device:whoami")) as { ok: boolean; data: { deviceId: string; patientId: string } };
      expect(result.data).toMatchObject({ deviceId: world.home.device.id, patientId: world.home.patient.id });
    } finally {
      socket.close();
    }
  });

  it("refuses anonymous clients, user sessions and revoked devices", async () => {
    await expect(connectClient(server.url, { namespace: "/device" })).rejects.toThrow("UNAUTHENTICATED");
    const cookie = await cookieFor(world.home.admin.id);
    await expect(connectClient(server.url, { namespace: "/device", cookie })).rejects.toThrow("UNAUTHENTICATED");
    await expect(connectClient(server.url, { namespace: "/device", token: "pgd_not-a-real-token" })).rejects.toThrow("UNAUTHENTICATED");
    await database.prisma.device.update({ where: { id: world.away.device.id }, data: { revokedAt: new Date() } });
    await expect(connectClient(server.url, { namespace: "/device", token: world.away.deviceToken })).rejects.toThrow("UNAUTHENTICATED");
  });
});

const redisUrl = parseConfig(process.env).REDIS_URL;

describe.skipIf(!redisUrl)("several instances through Redis", () => {
  it("delivers an event emitted on instance A to a client connected to instance B", async () => {
    const instanceA = await startTestRealtime({ db: database.prisma, redisUrl });
    const instanceB = await startTestRealtime({ db: database.prisma, redisUrl });
    const socket = await connectClient(instanceB.url, { cookie: await cookieFor(world.home.clinician.id) });
    try {
      const received = new Promise<void>((resolve) => socket.once("session:expired", () => resolve()));
      // Let B's subscription reach Redis before A publishes.
      await new Promise((resolve) => setTimeout(resolve, 200));
      instanceA.realtime.io.to(rooms.user(world.home.clinician.id)).emit("session:expired");
      await received;
      const acrossInstances = await instanceA.realtime.io.in(rooms.user(world.home.clinician.id)).fetchSockets();
      expect(acrossInstances.map((member) => member.id)).toContain(socket.id);
    } finally {
      socket.close();
      await instanceA.close();
      await instanceB.close();
    }
  });
});
