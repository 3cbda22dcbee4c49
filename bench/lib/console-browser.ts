// The browser side of bench/console.ts: Chromium on the clinician console with the clinician's session
// cookie, and per-phase measurements taken inside the page: long tasks (PerformanceObserver
// 'longtask'), animation frames delivered, and the console's own counters (pushes received, batched
// renders done).
import type { Page } from "playwright-core";
import { launchChromium, type TChromium } from "../../test/helpers/chromium";

export type TPhaseMeasurement = {
  seconds: number;
  longTasks: number;
  longTasksOver100Ms: number;
  maxLongTaskMs: number;
  totalLongTaskMs: number;
  framesPerSecond: number;
  messages: number;
  flushes: number;
};

export type TConsolePage = { page: Page; browser: TChromium };

export async function openConsole(options: { baseUrl: string; sessionToken: string; expectedPatients: number; timeoutMs?: number }): Promise<TConsolePage> {
  const browser = await launchChromium({ viewport: { width: 1440, height: 900 } });
  await browser.context.addCookies([{ name: "pg_session", value: options.sessionToken, url: options.baseUrl, httpOnly: true, sameSite: "Lax" }]);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${options.baseUrl}/clinician`);
  await page.waitForFunction(
    (expected) => (window as unknown as { __pulseguardConsole?: { watched: number } }).__pulseguardConsole?.watched === expected,
    options.expectedPatients,
    { timeout: options.timeoutMs ?? 60_000, polling: 250 },
  );
  return { page, browser };
}

// Page-side code as plain JavaScript text: tsx (esbuild) would wrap named functions in a __name helper
// that does not exist inside the page.
const START_PROBE = `(() => {
  const counters = window.__pulseguardConsole?.counters ?? { messages: 0, flushes: 0 };
  const probe = { longTasks: [], frames: 0, startedAt: performance.now(), running: true, counters: { ...counters } };
  probe.observer = new PerformanceObserver((list) => { for (const entry of list.getEntries()) probe.longTasks.push(entry.duration); });
  probe.observer.observe({ type: "longtask", buffered: false });
  const countFrame = () => { if (!probe.running) return; probe.frames += 1; requestAnimationFrame(countFrame); };
  requestAnimationFrame(countFrame);
  window.__benchProbe = probe;
})()`;

const STOP_PROBE = `(() => {
  const probe = window.__benchProbe;
  for (const entry of probe.observer.takeRecords()) probe.longTasks.push(entry.duration);
  probe.observer.disconnect();
  probe.running = false;
  const seconds = (performance.now() - probe.startedAt) / 1000;
  const now = window.__pulseguardConsole?.counters ?? { messages: 0, flushes: 0 };
  return {
    seconds,
    longTasks: probe.longTasks.length,
    longTasksOver100Ms: probe.longTasks.filter((ms) => ms > 100).length,
    maxLongTaskMs: probe.longTasks.length ? Math.max(...probe.longTasks) : 0,
    totalLongTaskMs: probe.longTasks.reduce((sum, ms) => sum + ms, 0),
    framesPerSecond: probe.frames / seconds,
    messages: now.messages - probe.counters.messages,
    flushes: now.flushes - probe.counters.flushes,
  };
})()`;

/** Starts observing in the page; the returned function stops and reads the phase's figures. */
export async function startPhase(page: Page): Promise<() => Promise<TPhaseMeasurement>> {
  await page.evaluate(START_PROBE);
  return () => page.evaluate(STOP_PROBE) as Promise<TPhaseMeasurement>;
}

/** The console's counters: pushes received and batched renders done since the page loaded. */
export function readConsoleCounters(page: Page): Promise<{ messages: number; flushes: number }> {
  return page.evaluate("({ ...window.__pulseguardConsole.counters })") as Promise<{ messages: number; flushes: number }>;
}

export type TProfileLine = { selfMs: number; fn: string; url: string };

/** With --profile: a CDP CPU profile of the page over one phase, summarised as the top self-time functions. */
export async function startCpuProfile(page: Page): Promise<() => Promise<TProfileLine[]>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
  await cdp.send("Profiler.start");
  return async () => {
    const { profile } = await cdp.send("Profiler.stop");
    const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
    const selfUs = new Map<number, number>();
    const deltas = profile.timeDeltas ?? [];
    (profile.samples ?? []).forEach((nodeId, index) => selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + (deltas[index] ?? 0)));
    const byFunction = new Map<string, TProfileLine>();
    for (const [nodeId, us] of selfUs) {
      const frame = byNode.get(nodeId)!.callFrame;
      const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}:${frame.columnNumber}`;
      const line = byFunction.get(key) ?? { selfMs: 0, fn: frame.functionName || "(anonymous)", url: `${frame.url.split("/").pop()}:${frame.lineNumber}:${frame.columnNumber}` };
      line.selfMs += us / 1000;
      byFunction.set(key, line);
    }
    return [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, 25);
  };
}
