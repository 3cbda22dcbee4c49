// The dashboards in real Chromium against `npm start`'s server (production build, its own process,
// SIMULATE=false so only the watch this test drives streams). A clinician signs in; an episode is
// streamed for one of their patients over that patient's watch socket, as a real watch would, and the
// watch answers the ECG request with a matching strip; the alert reaches the inbox without a reload;
// the clinician acknowledges it and the state is persisted. A patient sees their live heart rate, and
// gets a bare not-found page for another patient's URL. Screenshots go to test-results/screenshots/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TEcgRequestMessage } from "@/lib/detect/service/ecg-strip-upload";
import type { TDemoCredentials } from "@/lib/seed/seed-demo";
import { encodeEcgSamples, generateEcgStrip } from "@/lib/sim/ecg";
import { generateHeartRate } from "@/lib/sim/heart-rate";
import { isChromiumAvailable, launchChromium, signInThroughPage, type TChromium } from "../helpers/chromium";
import { cleanUpServerProcesses, PROJECT_DIR, startDemoServer } from "../helpers/server-process";

const SCREENSHOT_DIR = path.join(PROJECT_DIR, "test-results", "screenshots");
const hasChromium = isChromiumAvailable();
if (!hasChromium) console.warn("Skipping the dashboard end-to-end tests: Chromium is not installed at /usr/bin/chromium (apt-get install chromium).");

let url: string;
let credentials: TDemoCredentials;
const browsers: TChromium[] = [];
const sockets: Socket[] = [];
const pageErrors: string[] = [];

const loginFor = (name: string) => credentials.logins.find((login) => login.name === name)!;

async function openBrowser(viewport?: { width: number; height: number }): Promise<Page> {
  const browser = await launchChromium({ viewport });
  browsers.push(browser);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  // An exception in a client component replaces the page with Next's error screen: fail loudly instead.
  page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  return page;
}

const signIn = (page: Page, name: string, landing: RegExp) => signInThroughPage(page, { url, email: loginFor(name).email, password: credentials.password, landing });

const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

function connectWatch(token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(`${url}/device`, { transports: ["websocket"], auth: { token }, forceNew: true, reconnection: false });
    sockets.push(socket);
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  ({ url, credentials } = await startDemoServer({ SIMULATE: "false", LOG_LEVEL: "warn" }));
}, 180_000);

afterEach(async () => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  for (const browser of browsers) await browser.close();
  cleanUpServerProcesses();
});

describe.skipIf(!hasChromium)("dashboards in Chromium", () => {
  // Dr. Amara Okafor is on Samuel Adeyemi's care team (seed-demo.ts); Hana Kobayashi is not hers.
  const clinicianName = "Dr. Amara Okafor";
  const patientName = "Samuel Adeyemi";
  const otherPatientName = "Hana Kobayashi";
  let patientIds: Map<string, string>;
  let watch: Socket;
  let nextSeq = 1;

  it("shows a live alert in the clinician's inbox and persists the acknowledgement", { timeout: 240_000 }, async () => {
    const page = await openBrowser();
    await signIn(page, clinicianName, /\/clinician$/);
    await expect.poll(() => page.getByTestId("console-connection").textContent(), { timeout: 20_000 }).toContain("Live");
    const patients = (await (await page.request.get(`${url}/api/patients`)).json()) as { patients: { id: string; displayName: string }[] };
    patientIds = new Map(patients.patients.map((patient) => [patient.displayName, patient.id]));
    const patientId = patientIds.get(patientName)!;
    expect(patientId).toBeDefined();
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    await screenshot(page, "clinician-console-before");

    // The patient's watch: 14 minutes at rest (the screen learns the baseline), then 4 minutes of atrial
    // fibrillation ending now; it answers the ECG request with an AF strip, as the simulator would.
    const device = credentials.devices.find((candidate) => candidate.patientId === patientId && candidate.kind === "WATCH")!;
    watch = await connectWatch(device.token);
    watch.on("ecg:request", (request: TEcgRequestMessage) => {
      const strip = generateEcgStrip({ seed: `e2e:${request.requestId}`, rhythm: "atrial_fibrillation", durationS: request.durationS, sampleRateHz: request.sampleRateHz });
      void watch.emitWithAck("ecg:strip", { requestId: request.requestId, recordedAt: new Date().toISOString(), sampleRateHz: strip.sampleRateHz, samplesLe16: encodeEcgSamples(strip.samples) });
    });
    const totalS = 18 * 60;
    const startMs = Math.floor(Date.now() / 1000) * 1000 - totalS * 1000;
    const series = generateHeartRate(
      { seed: "e2e-dashboards", startEpochMs: startMs, restingBpm: 62, episodes: [{ type: "afib", startS: 14 * 60, durationS: 4 * 60 }], gapRatePerHour: 0, artifactRatePerHour: 0, activityPlan: { boutsPerWakingHour: 0 } },
      totalS,
    );
    for (let offsetS = 0; offsetS < totalS; offsetS += 60) {
      const ack = (await watch.emitWithAck("heart-rate:batch", {
        seq: nextSeq++,
        startedAt: new Date(startMs + offsetS * 1000).toISOString(),
        intervalMs: 1000,
        bpm: series.bpm.slice(offsetS, offsetS + 60),
        activity: series.activity.slice(offsetS, offsetS + 60),
      })) as { ok: boolean };
      expect(ack.ok).toBe(true);
    }

    // The alert arrives over the socket: no reload (the marker set above survives).
    const item = page.locator(".inbox-item", { hasText: patientName }).first();
    await item.waitFor({ timeout: 90_000 });
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await expect.poll(() => item.textContent()).toContain("Atrial fibrillation");
    await expect.poll(() => page.getByTestId("critical-banner").textContent()).toContain("Critical alert");
    const tile = page.locator(`.tile[data-patient-id="${patientId}"]`);
    await expect.poll(() => tile.getByTestId("tile-bpm").textContent(), { timeout: 10_000 }).toMatch(/\d+ bpm/);
    await screenshot(page, "clinician-console-alert");

    const alertId = (await item.getAttribute("data-alert-id"))!;
    await item.getByRole("button", { name: "Acknowledge" }).click();
    await expect.poll(() => item.getByTestId("alert-status").textContent(), { timeout: 15_000 }).toContain("Acknowledged");

    // Persisted: the API says so, and so does the inbox after a reload.
    const detail = (await (await page.request.get(`${url}/api/alerts/${alertId}`)).json()) as { alert: { status: string; acknowledgedAt: string | null } };
    expect(detail.alert.status).toBe("ACKNOWLEDGED");
    expect(detail.alert.acknowledgedAt).not.toBeNull();
    await page.reload();
    const reloaded = page.locator(`.inbox-item[data-alert-id="${alertId}"]`);
    await expect.poll(() => reloaded.getByTestId("alert-status").textContent(), { timeout: 20_000 }).toContain("Acknowledged");
    await screenshot(page, "clinician-console-acknowledged");

    // The drill-down shows the evidence: the heart-rate window and the ECG strip that confirmed it.
    await reloaded.getByRole("link", { name: patientName }).click();
    await page.waitForURL(new RegExp(`/patients/${patientId}\\?alert=${alertId}`));
    await page.locator("#evidence").waitFor();
    await expect.poll(() => page.locator("#evidence").textContent()).toContain("Atrial fibrillation");
    await expect.poll(() => page.locator("#evidence").getByTestId("ecg-facts").textContent(), { timeout: 20_000 }).toMatch(/Beats detected\d+/);
    await screenshot(page, "clinician-drill-down");

    // The same console on a phone-sized screen.
    const phone = await openBrowser({ width: 390, height: 844 });
    await signIn(phone, clinicianName, /\/clinician$/);
    await phone.locator(".inbox-item").first().waitFor({ timeout: 20_000 });
    await screenshot(phone, "clinician-console-phone");
  });

  it("shows a patient their live heart rate, and another patient's URL as not found", { timeout: 180_000 }, async () => {
    const page = await openBrowser({ width: 390, height: 844 });
    await signIn(page, patientName, /\/patient$/);
    await expect.poll(() => page.locator("#live-heart-rate-heading").count()).toBe(1);
    await expect.poll(() => page.locator(".live-status").first().textContent(), { timeout: 20_000 }).toContain("Live");
    // The watch keeps streaming: batches stamped now reach the open page.
    const startMs = Date.now() - 10_000;
    const ack = (await watch.emitWithAck("heart-rate:batch", { seq: nextSeq++, startedAt: new Date(startMs).toISOString(), intervalMs: 1000, bpm: [71, 72, 72, 73, 74, 73, 72, 72, 71, 70] })) as { ok: boolean };
    expect(ack.ok).toBe(true);
    await expect.poll(() => page.getByTestId("live-bpm").textContent(), { timeout: 20_000 }).toMatch(/^70 bpm at /);
    await screenshot(page, "patient-dashboard");

    const otherId = patientIds.get(otherPatientName)!;
    const response = await page.goto(`${url}/patients/${otherId}`);
    expect(response?.status()).toBe(404);
    const body = (await page.locator("main").textContent()) ?? "";
    expect(body).toContain("Not found");
    expect(body).not.toContain(otherPatientName);
    expect(await page.locator("canvas").count()).toBe(0);
    await screenshot(page, "patient-other-patient-not-found");
  });

  it("shows the hospital admin the models in use", { timeout: 120_000 }, async () => {
    const page = await openBrowser();
    await signIn(page, "Morgan Reyes", /\/admin$/);
    const models = page.locator("section", { has: page.locator("#model-versions-heading") });
    await expect.poll(() => models.textContent()).toContain("ecg-cnn");
    expect(await models.textContent()).toContain("watch-screen");
    await screenshot(page, "admin-overview");
  });
});
