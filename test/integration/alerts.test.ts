// The alert lifecycle end to end with real socket.io clients: who receives what, catch-up after a
// disconnect or a restart, folding, escalation timers kept in the database, snooze, stale devices.
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acknowledgeAlert,
  createEscalationPolicy,
  escalateDueAlerts,
  raiseAlert,
  raiseStaleDeviceAlerts,
  resolveAlert,
  snoozeAlert,
  type TAlertEventView,
  type TRaiseAlert,
} from "@/lib/alerts";
import { parseConfig } from "@/lib/config";
import type { TDatabase } from "@/lib/db/open-database";
import { assignToCareTeam, createDevice, createUser, createWorld, signInAs } from "../helpers/factories";
import { connectSignedIn, startTestRealtime, type TTestRealtime } from "../helpers/realtime";
import { createTestDatabase } from "../helpers/test-database";

let database: TDatabase;
let server: TTestRealtime;
const escalation = createEscalationPolicy([120, 180]);
const db = () => database.prisma;
const sockets: Socket[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestRealtime({ db: db() });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server.close();
  await database.close();
});

async function connectAs(userId: string, url = server.url) {
  const socket = await connectSignedIn(url, db(), userId);
  const received: TAlertEventView[] = [];
  socket.on("alert:event", (event: TAlertEventView) => received.push(event));
  sockets.push(socket);
  return { socket, received };
}

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await settle(25);
  }
}

const hit = (patientId: string, overrides: Partial<TRaiseAlert> = {}): TRaiseAlert => ({
  patientId,
  condition: "atrial_fibrillation",
  severity: "CRITICAL",
  source: "ECG_CONFIRMED",
  evidence: { stripId: "strip-1", probability: 0.97 },
  ...overrides,
});

async function raiseAndPublish(input: TRaiseAlert) {
  const result = await raiseAlert({ db: db(), input, escalation });
  if (result?.shouldNotify) await server.realtime.alerts.publish([result]);
  return result!;
}

describe("delivery", () => {
  it("reaches the care team and the patient, and no one else", async () => {
    const { home, away } = await createWorld(db());
    const secondCareClinician = await createUser(db(), { hospitalId: home.hospital.id, role: "CLINICIAN" });
    await assignToCareTeam(db(), { patientId: home.patient.id, clinicianId: secondCareClinician.id, rank: 1 });
    const care = await connectAs(home.clinician.id);
    const careSecond = await connectAs(secondCareClinician.id);
    const patient = await connectAs(home.patientUser.id);
    const outsiders = await Promise.all([
      connectAs(home.otherClinician.id),
      connectAs(home.otherPatient.userId),
      connectAs(home.admin.id),
      connectAs(away.clinician.id),
      connectAs(away.patientUser.id),
    ]);

    const raised = await raiseAndPublish(hit(home.patient.id));
    await waitFor(() => care.received.length === 1 && careSecond.received.length === 1 && patient.received.length === 1);
    await settle();
    for (const outsider of outsiders) expect(outsider.received).toEqual([]);
    expect(care.received[0]).toMatchObject({ type: "opened", alertId: raised.alert.id.toString(), alert: { severity: "CRITICAL", status: "OPEN" } });

    // A colleague's acknowledgement over the socket reaches the others; the patient sees it without notes or names.
    const ack = (await care.socket.emitWithAck("alert:acknowledge", { alertId: raised.alert.id.toString() })) as { ok: boolean };
    expect(ack.ok).toBe(true);
    await waitFor(() => careSecond.received.length === 2 && patient.received.length === 2);
    expect(careSecond.received[1]).toMatchObject({ type: "acknowledged", actorId: home.clinician.id });
    expect(patient.received[1]).toMatchObject({ type: "acknowledged", actorId: null, note: null });
    await settle();
    for (const outsider of outsiders) expect(outsider.received).toEqual([]);
  });

  it("applies the same rules over the socket as over HTTP", async () => {
    const { home } = await createWorld(db());
    const raised = await raiseAndPublish(hit(home.patient.id));
    const alertId = raised.alert.id.toString();
    const patient = await connectAs(home.patientUser.id);
    const outsider = await connectAs(home.otherClinician.id);
    const care = await connectAs(home.clinician.id);
    expect(await patient.socket.emitWithAck("alert:acknowledge", { alertId })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await outsider.socket.emitWithAck("alert:acknowledge", { alertId })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(await care.socket.emitWithAck("alert:snooze", { alertId, minutes: 10 })).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
    expect(await care.socket.emitWithAck("alert:resolve", { alertId, outcome: "MAYBE" })).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
    expect(await care.socket.emitWithAck("alert:resolve", { alertId, outcome: "TRUE_EVENT", note: "AF confirmed on 12-lead" })).toMatchObject({
      ok: true,
      data: { status: "RESOLVED", outcome: "TRUE_EVENT" },
    });
    expect(await care.socket.emitWithAck("alert:acknowledge", { alertId })).toMatchObject({ ok: false, error: { code: "CONFLICT" } });
    const stored = await db().alert.findUniqueOrThrow({ where: { id: raised.alert.id }, include: { events: { orderBy: { id: "asc" } } } });
    expect(stored.events.map((event) => event.type)).toEqual(["opened", "resolved"]);
    expect(stored.events[1]).toMatchObject({ actorId: home.clinician.id, note: "AF confirmed on 12-lead" });
  });

  it("catches a clinician up on reconnect, and after the server restarts", async () => {
    const { home } = await createWorld(db());
    const first = await connectAs(home.clinician.id);
    const before = (await first.socket.emitWithAck("alerts:sync", {})) as { ok: true; data: { events: TAlertEventView[] } };
    const lastSeen = before.data.events.at(-1)?.eventId ?? "0";
    first.socket.close();

    // Offline: an alert is raised and pushed to nobody.
    const raised = await raiseAndPublish(hit(home.patient.id, { condition: "tachycardia", severity: "URGENT", source: "WATCH_SCREEN" }));

    // A new server on the same database: catch-up comes from the database, not from memory.
    const restarted = await startTestRealtime({ db: db() });
    try {
      const again = await connectAs(home.clinician.id, restarted.url);
      const synced = (await again.socket.emitWithAck("alerts:sync", { afterEventId: lastSeen })) as { ok: true; data: { events: TAlertEventView[]; hasMore: boolean } };
      expect(synced.data.events.map((event) => [event.alertId, event.type])).toEqual([[raised.alert.id.toString(), "opened"]]);
      expect(synced.data.hasMore).toBe(false);

      // Another patient's alerts are not in this clinician's catch-up.
      const other = await raiseAndPublish(hit(home.otherPatient.id));
      const resynced = (await again.socket.emitWithAck("alerts:sync", { afterEventId: lastSeen })) as { ok: true; data: { events: TAlertEventView[] } };
      expect(resynced.data.events.map((event) => event.alertId)).not.toContain(other.alert.id.toString());
      expect(await again.socket.emitWithAck("alerts:sync", { afterEventId: "-1" })).toMatchObject({ ok: false, error: { code: "VALIDATION_FAILED" } });
    } finally {
      await restarted.close();
    }
  });
});

describe("folding", () => {
  it("folds repeated hits for the same patient and condition into the open alert, even when they race", async () => {
    const { home } = await createWorld(db());
    const results = await Promise.all(Array.from({ length: 6 }, () => raiseAlert({ db: db(), input: hit(home.patient.id, { source: "WATCH_SCREEN", severity: "URGENT" }), escalation })));
    expect(results.filter((result) => result?.isNew)).toHaveLength(1);
    expect(results.filter((result) => result?.shouldNotify)).toHaveLength(1);
    const alerts = await db().alert.findMany({ where: { patientId: home.patient.id } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ hitCount: 6, severity: "URGENT", nextEscalationAt: null });

    // A confirming ECG upgrades the open alert (and notifies once more); a later weaker hit keeps that evidence.
    const confirmed = await raiseAlert({ db: db(), input: hit(home.patient.id), escalation });
    expect(confirmed).toMatchObject({ isNew: false, shouldNotify: true, alert: { severity: "CRITICAL", source: "ECG_CONFIRMED" } });
    expect(confirmed!.alert.nextEscalationAt).not.toBeNull();
    const weaker = await raiseAlert({ db: db(), input: hit(home.patient.id, { source: "WATCH_SCREEN", evidence: { window: 1 } }), escalation });
    expect(weaker).toMatchObject({ shouldNotify: false, alert: { source: "ECG_CONFIRMED", evidence: { stripId: "strip-1" } } });

    // Once resolved, the next hit is a new alert.
    const clinician = (await signInAs(db(), home.clinician.id)).actor;
    await resolveAlert({ db: db(), actor: clinician, alertId: alerts[0]!.id.toString(), input: { outcome: "TRUE_EVENT" } });
    expect(await raiseAlert({ db: db(), input: hit(home.patient.id), escalation })).toMatchObject({ isNew: true });
  });

  it("raises nothing for a condition the patient's rules switch off", async () => {
    const { home } = await createWorld(db());
    await db().patientAlertRule.create({ data: { patientId: home.patient.id, condition: "bradycardia", enabled: false } });
    expect(await raiseAlert({ db: db(), input: hit(home.patient.id, { condition: "bradycardia" }), escalation })).toBeNull();
    expect(await db().alert.count({ where: { patientId: home.patient.id } })).toBe(0);
  });
});

describe("escalation", () => {
  async function criticalAlertWithTeam() {
    const { home } = await createWorld(db());
    const backup = await createUser(db(), { hospitalId: home.hospital.id, role: "CLINICIAN" });
    await assignToCareTeam(db(), { patientId: home.patient.id, clinicianId: backup.id, rank: 1 });
    const openedAt = new Date(Date.now() + 3_600_000 * 24 * 365 * (1 + Math.random()));
    const raised = await raiseAlert({ db: db(), input: hit(home.patient.id, { at: openedAt }), escalation });
    return { home, backup, openedAt, alertId: raised!.alert.id };
  }
  const after = (from: Date, seconds: number) => new Date(from.getTime() + seconds * 1000);
  const ownEscalations = (changes: Awaited<ReturnType<typeof escalateDueAlerts>>, alertId: bigint) => changes.filter((change) => change.alert.id === alertId);

  it("pages the next clinician after the delay and not before, once, then the whole hospital", async () => {
    const { home, backup, openedAt, alertId } = await criticalAlertWithTeam();
    expect(ownEscalations(await escalateDueAlerts({ db: db(), escalation, now: after(openedAt, 119) }), alertId)).toEqual([]);

    const [first, ...again] = await Promise.all([
      escalateDueAlerts({ db: db(), escalation, now: after(openedAt, 121) }),
      escalateDueAlerts({ db: db(), escalation, now: after(openedAt, 121) }),
    ]).then((runs) => runs.flatMap((run) => ownEscalations(run, alertId)));
    expect(again).toEqual([]);
    expect(first!.event).toMatchObject({ type: "escalated", detail: { level: 1, target: "next_clinician", pagedClinicianIds: [backup.id] } });

    // The backup pager is live: the clinician outside the care team can't see the alert yet.
    const outsider = await connectAs(home.otherClinician.id);
    expect(await outsider.socket.emitWithAck("alert:acknowledge", { alertId: alertId.toString() })).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });

    expect(ownEscalations(await escalateDueAlerts({ db: db(), escalation, now: after(openedAt, 121 + 179) }), alertId)).toEqual([]);
    const hospitalWide = ownEscalations(await escalateDueAlerts({ db: db(), escalation, now: after(openedAt, 121 + 181) }), alertId);
    expect(hospitalWide.map((change) => change.event.detail)).toEqual([{ level: 2, target: "hospital", pagedClinicianIds: [] }]);
    await server.realtime.alerts.publish(hospitalWide);
    await waitFor(() => outsider.received.some((event) => event.type === "escalated"));
    // Now every clinician of the hospital may act on it.
    expect(await outsider.socket.emitWithAck("alert:acknowledge", { alertId: alertId.toString() })).toMatchObject({ ok: true, data: { status: "ACKNOWLEDGED" } });
    expect(ownEscalations(await escalateDueAlerts({ db: db(), escalation, now: after(openedAt, 100_000) }), alertId)).toEqual([]);
  });

  it("stops when acknowledged and pauses while snoozed", async () => {
    const { home, openedAt, alertId } = await criticalAlertWithTeam();
    const clinician = (await signInAs(db(), home.clinician.id)).actor;
    await snoozeAlert({ db: db(), actor: clinician, alertId: alertId.toString(), input: { minutes: 30, reason: "patient in theatre, monitored there" } });
    const snoozed = await db().alert.findUniqueOrThrow({ where: { id: alertId } });
    expect(snoozed.snoozedUntil).not.toBeNull();
    // The snooze runs from now (real time) while this alert lives a year ahead: move it into the window.
    await db().alert.update({ where: { id: alertId }, data: { snoozedUntil: after(openedAt, 1800) } });
    expect(ownEscalations(await escalateDueAlerts({ db: db(), escalation, now: after(openedAt, 600) }), alertId)).toEqual([]);
    expect(ownEscalations(await escalateDueAlerts({ db: db(), escalation, now: after(openedAt, 1801) }), alertId)).toHaveLength(1);

    await acknowledgeAlert({ db: db(), actor: clinician, alertId: alertId.toString() });
    expect(await db().alert.findUniqueOrThrow({ where: { id: alertId } })).toMatchObject({ status: "ACKNOWLEDGED", nextEscalationAt: null });
    expect(ownEscalations(await escalateDueAlerts({ db: db(), escalation, now: after(openedAt, 100_000) }), alertId)).toEqual([]);
  });

  it("does not escalate warnings or urgent alerts", async () => {
    const { home } = await createWorld(db());
    const raised = await raiseAlert({ db: db(), input: hit(home.patient.id, { severity: "URGENT", source: "WATCH_SCREEN" }), escalation });
    expect(raised!.alert.nextEscalationAt).toBeNull();
  });
});

describe("stale devices", () => {
  it("raises one alert per silence of a watch that was streaming, and resolves it when data resumes", async () => {
    const { home } = await createWorld(db());
    const { device } = await createDevice(db(), { patientId: home.patient.id });
    const now = new Date();
    await db().device.update({ where: { id: device.id }, data: { lastSeenAt: new Date(now.getTime() - 9 * 60_000) } });
    const mine = (changes: Awaited<ReturnType<typeof raiseStaleDeviceAlerts>>) => changes.filter((change) => change.alert.patientId === home.patient.id);
    expect(mine(await raiseStaleDeviceAlerts({ db: db(), escalation, staleAfterMin: 10, now }))).toEqual([]);

    await db().device.update({ where: { id: device.id }, data: { lastSeenAt: new Date(now.getTime() - 11 * 60_000) } });
    const raised = mine(await raiseStaleDeviceAlerts({ db: db(), escalation, staleAfterMin: 10, now }));
    expect(raised.map((change) => [change.alert.condition, change.alert.source, change.event.type])).toEqual([["stale_device", "STALE_DEVICE", "opened"]]);
    expect(mine(await raiseStaleDeviceAlerts({ db: db(), escalation, staleAfterMin: 10, now: new Date(now.getTime() + 60_000) }))).toEqual([]);

    await db().device.update({ where: { id: device.id }, data: { lastSeenAt: new Date(now.getTime() + 90_000) } });
    const resumed = mine(await raiseStaleDeviceAlerts({ db: db(), escalation, staleAfterMin: 10, now: new Date(now.getTime() + 120_000) }));
    expect(resumed.map((change) => [change.event.type, change.alert.status, change.alert.outcome])).toEqual([["resolved", "RESOLVED", "NOT_ACTIONABLE"]]);
  });

  it("ignores a watch that never streamed or was last heard from days ago", async () => {
    const { home } = await createWorld(db());
    const { device } = await createDevice(db(), { patientId: home.patient.id });
    await db().device.update({ where: { id: device.id }, data: { lastSeenAt: new Date(Date.now() - 3 * 86_400_000) } });
    const changes = await raiseStaleDeviceAlerts({ db: db(), escalation, staleAfterMin: 10 });
    expect(changes.filter((change) => change.alert.patientId === home.patient.id)).toEqual([]);
  });
});

const redisUrl = parseConfig(process.env).REDIS_URL;

describe.skipIf(!redisUrl)("several instances through Redis", () => {
  it("an alert raised on instance A reaches a clinician connected to instance B", async () => {
    const instanceA = await startTestRealtime({ db: db(), redisUrl });
    const instanceB = await startTestRealtime({ db: db(), redisUrl });
    try {
      const { home } = await createWorld(db());
      const onB = await connectAs(home.clinician.id, instanceB.url);
      const outsiderOnB = await connectAs(home.otherClinician.id, instanceB.url);
      const raised = await raiseAlert({ db: db(), input: hit(home.patient.id), escalation });
      await instanceA.realtime.alerts.publish([raised!]);
      await waitFor(() => onB.received.length === 1);
      expect(onB.received[0]).toMatchObject({ type: "opened", alertId: raised!.alert.id.toString() });
      await settle();
      expect(outsiderOnB.received).toEqual([]);
    } finally {
      await instanceA.close();
      await instanceB.close();
    }
  });
});
