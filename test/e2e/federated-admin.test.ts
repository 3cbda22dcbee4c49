// The hospital admin's federated-training sections in real Chromium against `npm start`'s server. An
// admin issues a participant credential (its token is shown once and works on the participant API), then
// revokes it (refused from then on). Both demo hospitals' admins issue credentials; one starts a round,
// and the other admin's open page shows it without a reload ("fl:round" over the socket).
// Screenshots go to test-results/screenshots/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ROUND_CONFIG } from "@/lib/fl/rounds/round-defaults";
import type { TDemoCredentials } from "@/lib/seed/seed-demo";
import { isChromiumAvailable, launchChromium, signInThroughPage, type TChromium } from "../helpers/chromium";
import { cleanUpServerProcesses, PROJECT_DIR, startDemoServer } from "../helpers/server-process";

const SCREENSHOT_DIR = path.join(PROJECT_DIR, "test-results", "screenshots");
const hasChromium = isChromiumAvailable();
if (!hasChromium) console.warn("Skipping the federated admin end-to-end tests: Chromium is not installed at /usr/bin/chromium (apt-get install chromium).");

// The two demo hospitals' admins (lib/seed/seed-demo.ts).
const ADMIN = "Morgan Reyes";
const OTHER_ADMIN = "Priya Natarajan";

let url: string;
let credentials: TDemoCredentials;
const browsers: TChromium[] = [];
const pageErrors: string[] = [];

async function openBrowser(viewport?: { width: number; height: number }): Promise<Page> {
  const browser = await launchChromium({ viewport });
  browsers.push(browser);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  return page;
}

const signIn = (page: Page, name: string) =>
  signInThroughPage(page, { url, email: credentials.logins.find((candidate) => candidate.name === name)!.email, password: credentials.password, landing: /\/admin$/ });

const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
/** The admin page is long: the federated sections on their own are easier to review. */
const screenshotSection = (page: Page, headingId: string, name: string) =>
  page.locator("section", { has: page.locator(`#${headingId}`) }).first().screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });

/** What the hospital's participant process gets from the server with this token. */
async function participantStatus(token: string): Promise<number> {
  const response = await fetch(`${url}/api/fl/participant/rounds`, { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

/** Issues a credential through the page; returns the token shown once. */
async function issueThroughPage(page: Page, label: string, validityDays?: number): Promise<string> {
  const form = page.getByRole("form", { name: "Issue a participant credential" });
  await form.getByLabel("Label").fill(label);
  if (validityDays !== undefined) await form.getByLabel("Valid for (days").fill(String(validityDays));
  await form.getByRole("button", { name: "Issue credential" }).click();
  const issued = page.getByTestId("issued-token");
  await issued.waitFor({ timeout: 15_000 });
  const token = (await issued.getByTestId("issued-token-value").textContent())!.trim();
  expect(token).toMatch(/^pgh_[A-Za-z0-9_-]{43}$/);
  return token;
}

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  ({ url, credentials } = await startDemoServer({ SIMULATE: "false", LOG_LEVEL: "warn" }));
}, 180_000);

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  for (const browser of browsers) await browser.close();
  cleanUpServerProcesses();
});

describe.skipIf(!hasChromium)("federated training admin in Chromium", () => {
  it("issues a credential whose token is shown once and works, then revokes it", { timeout: 180_000 }, async () => {
    const page = await openBrowser();
    await signIn(page, ADMIN);
    const section = page.locator("section", { has: page.locator("#fl-credentials-heading") });
    await expect.poll(() => section.textContent()).toContain("No credentials have been issued yet.");

    const token = await issueThroughPage(page, "e2e training server", 30);
    const command = (await page.getByTestId("issued-token-command").textContent())!;
    expect(command).toMatch(new RegExp(`^npm run hospital -- --hospital [0-9a-f-]{36} --server ${url.replace(/[.]/g, "\\.")} --credential-file hospital-credential\\.txt$`));
    expect(command).not.toContain(token);
    const row = section.locator("tbody tr", { hasText: "e2e training server" });
    expect(await row.getByTestId("credential-status").textContent()).toContain("Active");
    await screenshot(page, "admin-fl-credential-issued");
    await screenshotSection(page, "fl-credentials-heading", "admin-fl-credentials-section-issued");

    // The participant's process can use it at once.
    expect(await participantStatus(token)).toBe(200);

    // Once dismissed, the token is gone from the page, and the server never sends it again.
    await page.getByRole("button", { name: "I have stored the token" }).click();
    await expect.poll(() => page.getByTestId("issued-token").count()).toBe(0);
    expect(await page.content()).not.toContain(token);
    await page.reload();
    await section.locator("tbody tr", { hasText: "e2e training server" }).waitFor();
    expect(await page.content()).not.toContain(token);

    // Revoking asks first, then takes effect on the participant's next request.
    const reloadedRow = section.locator("tbody tr", { hasText: "e2e training server" });
    await reloadedRow.getByRole("button", { name: "Revoke e2e training server" }).click();
    await screenshot(page, "admin-fl-credential-confirm-revoke");
    await reloadedRow.getByRole("button", { name: "Yes, revoke" }).click();
    await expect.poll(() => reloadedRow.getByTestId("credential-status").textContent(), { timeout: 15_000 }).toContain("Revoked");
    expect(await participantStatus(token)).toBe(401);
    await screenshot(page, "admin-fl-credential-revoked");
    await screenshotSection(page, "fl-credentials-heading", "admin-fl-credentials-section-revoked");
  });

  it("starts a round and shows its progress live to every hospital's admin", { timeout: 240_000 }, async () => {
    // A round needs at least two hospitals holding a valid credential.
    const otherPage = await openBrowser();
    await signIn(otherPage, OTHER_ADMIN);
    await issueThroughPage(otherPage, "northbridge trainer");
    await expect.poll(() => otherPage.getByTestId("rounds-connection").textContent(), { timeout: 20_000 }).toContain("Live");
    await otherPage.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

    const page = await openBrowser();
    await signIn(page, ADMIN);
    await issueThroughPage(page, "aldric trainer");
    const progress = page.getByTestId("round-progress");
    expect(await progress.textContent()).toContain("No round has been started yet.");

    // The advanced settings are labelled fields with the library's defaults filled in.
    await page.getByText("Advanced settings").click();
    expect(await page.getByLabel("Local epochs").inputValue()).toBe(String(DEFAULT_ROUND_CONFIG.localEpochs));
    await page.getByLabel("Stage timeout (s)").fill("60");
    await page.getByRole("button", { name: "Start round" }).click();

    await expect.poll(() => progress.getAttribute("data-stage"), { timeout: 15_000 }).toBe("ADVERTISING");
    expect(await progress.getByTestId("round-stage").textContent()).toContain("Advertising keys");
    expect(await progress.locator('[aria-current="step"]').textContent()).toContain("Advertising keys");
    const seats = progress.getByTestId("round-participants");
    await expect.poll(() => seats.locator("tbody tr").count()).toBe(2);
    expect(await seats.textContent()).toContain("St. Aldric General Hospital");
    expect(await seats.textContent()).toContain("Northbridge Heart Institute");
    expect(await seats.getByTestId("participant-status").first().textContent()).toContain("Selected");
    await expect.poll(() => progress.getByTestId("round-deadline").textContent()).toMatch(/closes in \d+ (min \d+ s|s)/);
    const roundId = (await progress.getAttribute("data-round-id"))!;
    expect(await page.getByTestId("round-history").locator(`tr[data-round-id="${roundId}"]`).count()).toBe(1);
    await screenshot(page, "admin-fl-round-started");
    await screenshotSection(page, "fl-rounds-heading", "admin-fl-rounds-section");

    // The other hospital's admin, whose page was already open, sees the round arrive over the socket.
    const otherProgress = otherPage.getByTestId("round-progress");
    await expect.poll(() => otherProgress.getAttribute("data-round-id"), { timeout: 15_000 }).toBe(roundId);
    expect(await otherProgress.getAttribute("data-stage")).toBe("ADVERTISING");
    expect(await otherPage.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await screenshot(otherPage, "admin-fl-round-other-hospital");

    // A second start while this one runs is refused, with the reason shown.
    await page.getByRole("button", { name: "Start round" }).click();
    await expect.poll(() => page.locator(".start-round [role=alert]").textContent(), { timeout: 15_000 }).toContain("still running");

    // The same page on a phone-sized screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "admin-fl-phone");
    await screenshotSection(page, "fl-rounds-heading", "admin-fl-rounds-section-phone");
  });
});
