// Debian's Chromium driven by playwright-core, for end-to-end tests and browser benchmarks. Each launch
// gets its own fresh profile folder, removed on close, so no state leaks between runs or roles.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

export function isChromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export type TChromium = { context: BrowserContext; close(): Promise<void> };

export async function launchChromium(options: { viewport?: { width: number; height: number }; extraArgs?: string[] } = {}): Promise<TChromium> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), "pulseguard-chromium-"));
  // launchPersistentContext passes --user-data-dir itself (playwright refuses it in args).
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
    viewport: options.viewport ?? { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Signs a user in through the sign-in page, as they would, and waits for the page they land on. */
export async function signInThroughPage(page: Page, options: { url: string; email: string; password: string; landing: RegExp }): Promise<void> {
  await page.goto(`${options.url}/sign-in`);
  await page.getByLabel("Email").fill(options.email);
  await page.getByLabel("Password").fill(options.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(options.landing);
}
