// Fuzzed bad device batches: every one is refused with a 4xx and a reason, never a 5xx, and nothing is
// written. Each mutation alone makes a batch invalid, so any combination of them must be refused too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postHeartRate } from "@/app/api/devices/[deviceId]/heart-rate/route";
import type { TDatabase } from "@/lib/db/open-database";
import { createRng } from "@/lib/sim/rng";
import { callRoute, type TCallOptions } from "../helpers/call-route";
import { createDevice, createWorld, signInAs } from "../helpers/factories";
import { connectClient, startTestRealtime } from "../helpers/realtime";
import { countStoredBatches } from "../helpers/stored-heart-rate";
import { useDatabaseInServerContext } from "../helpers/server-context";
import { createTestDatabase } from "../helpers/test-database";

let database: TDatabase;
let world: Awaited<ReturnType<typeof createWorld>>;
let watch: { id: string; token: string };
let otherWatchToken: string;
let revokedToken: string;
let adminCookie: string;

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabaseInServerContext(database);
  world = await createWorld(database.prisma);
  const created = await createDevice(database.prisma, { patientId: world.home.patient.id });
  watch = { id: created.device.id, token: created.token };
  otherWatchToken = (await createDevice(database.prisma, { patientId: world.away.patient.id })).token;
  const revoked = await createDevice(database.prisma, { patientId: world.home.patient.id });
  await database.prisma.device.update({ where: { id: revoked.device.id }, data: { revokedAt: new Date() } });
  revokedToken = revoked.token;
  adminCookie = (await signInAs(database.prisma, world.home.admin.id)).cookie;
});

afterAll(async () => {
  await database.close();
});

type TBatch = Record<string, unknown>;
type TCase = { body?: TBatch; call: TCallOptions };
type TMutation = { name: string; apply: (target: TCase) => void };

const validBatch = (): TBatch => ({
  seq: 1,
  startedAt: new Date(Date.now() - 10 * 60_000).toISOString(),
  intervalMs: 1000,
  bpm: [70, 71, 72, 73],
  activity: [1, 2, 3, 4],
});

const setField = (field: string, value: unknown): TMutation => ({
  name: `${field}=${JSON.stringify(value)?.slice(0, 30)}`,
  apply: (target) => {
    target.body![field] = value;
  },
});
const setSample = (field: "bpm" | "activity", value: unknown): TMutation => ({
  name: `${field}[1]=${JSON.stringify(value)}`,
  apply: (target) => {
    const current = target.body![field];
    // Already not a list (an earlier mutation replaced or removed it): the batch is invalid either way.
    if (!Array.isArray(current)) return;
    const list: unknown[] = [...current];
    list[1] = value;
    target.body![field] = list;
  },
});

const MUTATIONS: TMutation[] = [
  ...["1", 1.5, -1, null, true, {}, [], 2 ** 31, "NaN"].map((value) => setField("seq", value)),
  ...["yesterday", 12345, "", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00", new Date(Date.now() + 3_600_000).toISOString()].map((value) => setField("startedAt", value)),
  ...[-1000, 0, 0.5, "1000", null, 1e9].map((value) => setField("intervalMs", value)),
  ...[[], "70,71", null, Array(3601).fill(70)].map((value) => setField("bpm", value)),
  ...["70", 1.5, -5, 300, null, 10, 251, 24].map((value) => setSample("bpm", value)),
  ...[-1, "3", 1e6, null].map((value) => setSample("activity", value)),
  { name: "activity length mismatch", apply: (target) => void (target.body!.activity = [1, 2]) },
  { name: "unknown field", apply: (target) => void (target.body!.patientId = world.away.patient.id) },
  ...["seq", "startedAt", "intervalMs", "bpm"].map((field) => ({ name: `missing ${field}`, apply: (target: TCase) => void delete target.body![field] })),
  { name: "no token", apply: (target) => void delete target.call.bearer },
  { name: "forged token", apply: (target) => void (target.call.bearer = "pgd_forgedforgedforgedforgedforgedforgedfor") },
  { name: "another device's token", apply: (target) => void (target.call.bearer = otherWatchToken) },
  { name: "revoked device's token", apply: (target) => void (target.call.bearer = revokedToken) },
  { name: "user cookie instead of token", apply: (target) => void ((target.call.cookie = adminCookie), delete target.call.bearer) },
  { name: "text/plain", apply: (target) => void (target.call.contentType = "text/plain") },
];

const RAW_BODIES: { name: string; raw: string }[] = [
  { name: "truncated JSON", raw: '{"seq": 1, "bpm": [70, 7' },
  { name: "NaN literal", raw: '{"seq": NaN}' },
  { name: "a bare number", raw: "42" },
  { name: "null", raw: "null" },
  { name: "deep nesting", raw: `${"[".repeat(5000)}${"]".repeat(5000)}` },
  { name: "over 256 KB", raw: JSON.stringify({ ...validBatch(), bpm: Array(70_000).fill(70) }) },
];

function rawBytes(seed: number): string {
  const rng = createRng(seed);
  return String.fromCharCode(...Array.from({ length: rng.int(1, 200) }, () => rng.int(0, 255)));
}

async function send(target: TCase) {
  return callRoute(postHeartRate, "POST", `/api/devices/${watch.id}/heart-rate`, {
    params: { deviceId: watch.id },
    ...target.call,
    ...(target.body ? { body: target.body } : {}),
  });
}

describe("fuzzed heart-rate batches", () => {
  it("refuses every bad batch with a 4xx and a reason, and writes nothing", async () => {
    const rng = createRng("ingest-fuzz");
    const cases: { name: string; target: TCase }[] = [];
    for (const mutation of MUTATIONS) {
      const target: TCase = { body: validBatch(), call: { bearer: watch.token } };
      mutation.apply(target);
      cases.push({ name: mutation.name, target });
    }
    for (let index = 0; index < 200; index += 1) {
      const chosen = Array.from({ length: rng.int(2, 4) }, () => rng.pick(MUTATIONS));
      const target: TCase = { body: validBatch(), call: { bearer: watch.token } };
      for (const mutation of chosen) mutation.apply(target);
      cases.push({ name: chosen.map((mutation) => mutation.name).join(" + "), target });
    }
    for (const { name, raw } of RAW_BODIES) cases.push({ name, target: { call: { bearer: watch.token, rawBody: raw } } });
    for (let seed = 0; seed < 30; seed += 1) cases.push({ name: `random bytes #${seed}`, target: { call: { bearer: watch.token, rawBody: rawBytes(seed) } } });

    const before = {
      batches: await countStoredBatches(database.prisma, { patientIds: [world.home.patient.id, world.away.patient.id] }),
    };
    const failures: string[] = [];
    for (const { name, target } of cases) {
      const response = await send(target);
      const code = response.json?.error?.code;
      if (response.status < 400 || response.status >= 500 || typeof code !== "string") failures.push(`${name}: ${response.status} ${response.text.slice(0, 120)}`);
    }
    expect(failures).toEqual([]);
    expect({
      batches: await countStoredBatches(database.prisma, { patientIds: [world.home.patient.id, world.away.patient.id] }),
    }).toEqual(before);

    // The same, unmutated batch is accepted: the refusals above were about the mutations.
    const control = await send({ body: validBatch(), call: { bearer: watch.token } });
    expect(control.status).toBe(200);
  });
});

describe("fuzzed batches over the device socket", () => {
  it("nacks every bad heart-rate and glucose payload with a code, stays connected, and writes nothing", async () => {
    const server = await startTestRealtime({ db: database.prisma, withIngest: database });
    const socket = await connectClient(server.url, { namespace: "/device", token: watch.token });
    try {
      const rng = createRng("socket-fuzz");
      const bodyMutations = MUTATIONS.filter((mutation) => !/token|cookie|text\/plain/.test(mutation.name));
      const payloads: unknown[] = [null, 42, "batch", [], { seq: 1 }];
      for (let index = 0; index < 150; index += 1) {
        const target: TCase = { body: validBatch(), call: {} };
        for (let count = rng.int(1, 3); count > 0; count -= 1) rng.pick(bodyMutations).apply(target);
        payloads.push(target.body);
      }
      const before = await countStoredBatches(database.prisma, { deviceId: watch.id });
      const failures: string[] = [];
      for (const payload of payloads) {
        const ack = (await socket.emitWithAck("heart-rate:batch", payload)) as { ok: boolean; error?: { code: string } };
        if (ack.ok || typeof ack.error?.code !== "string") failures.push(JSON.stringify(payload).slice(0, 120));
      }
      // A watch may not send glucose at all, however well-formed.
      const glucose = (await socket.emitWithAck("glucose:batch", { seq: 1, readings: [{ measuredAt: new Date().toISOString(), glucoseMgDl: 100 }] })) as {
        ok: boolean;
        error?: { code: string };
      };
      expect(glucose).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
      expect(failures).toEqual([]);
      expect(socket.connected).toBe(true);
      expect(await countStoredBatches(database.prisma, { deviceId: watch.id })).toBe(before);
    } finally {
      socket.close();
      await server.close();
    }
  });
});
