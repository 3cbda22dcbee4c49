// PulseGuard started for a benchmark exactly as the end-to-end tests start it (server.ts in its own
// process), with the server's own log lines read for warnings and, at debug level, its flush timings.
import { cleanUpServerProcesses, startServerProcess, waitForUrl, type TServerProcess } from "../../test/helpers/server-process";
import { createLatencyRecorder, sleep, type TLatencySummary } from "./stats";

export type TFlushStats = { flushes: number; batches: number; samples: number; msTotal: number; ms: TLatencySummary };

export type TBenchServer = {
  url: string;
  pid: number | undefined;
  warnings(): string[];
  /** Everything the server printed (to show why it exited early). */
  output(): string;
  /** Resolves with the exit code when the server process ends, expectedly or not. */
  exited: Promise<number | null>;
  /** Group-commit flushes seen in the log since the last reset (needs --server-log-level debug). */
  flushStats(): TFlushStats;
  resetFlushStats(): void;
  /** SIGTERM, then wait for the drain and exit; SIGKILL if it does not exit in time. */
  stop(): Promise<number | null>;
};

export async function startBenchServer(options: {
  dataDir: string;
  databaseUrl?: string;
  logLevel: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
  /** Every JSON log line of the server, parsed (for traces the benchmark reads, such as "alert path"). */
  onLogEntry?: (entry: Record<string, unknown>) => void;
}): Promise<TBenchServer> {
  const started: TServerProcess = startServerProcess({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    env: { SEED_DEMO: "false", LOG_LEVEL: options.logLevel, ...options.env },
  });
  const warnings: string[] = [];
  let flushMs = createLatencyRecorder();
  let flush = { flushes: 0, batches: 0, samples: 0, msTotal: 0 };
  let pending = "";
  const onChunk = (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      let entry: { level?: number; msg?: string; batches?: number; samples?: number; ms?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      options.onLogEntry?.(entry);
      if (entry.msg === "ingest flush" && typeof entry.ms === "number") {
        flush.flushes += 1;
        flush.batches += entry.batches ?? 0;
        flush.samples += entry.samples ?? 0;
        flush.msTotal += entry.ms;
        flushMs.record(entry.ms);
      } else if ((entry.level ?? 0) >= 40 && warnings.length < 1_000) {
        warnings.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
      }
    }
  };
  started.child.stdout!.on("data", onChunk);
  started.child.stderr!.on("data", onChunk);

  let url: string;
  try {
    url = await waitForUrl(started, options.startTimeoutMs ?? 120_000);
  } catch (error) {
    started.child.kill("SIGKILL");
    throw error;
  }

  let stopping: Promise<number | null> | undefined;
  return {
    url,
    pid: started.child.pid,
    warnings: () => warnings,
    output: () => started.output(),
    exited: started.exited,
    flushStats: () => ({ ...flush, ms: flushMs.summarize() }),
    resetFlushStats() {
      flush = { flushes: 0, batches: 0, samples: 0, msTotal: 0 };
      flushMs = createLatencyRecorder();
    },
    stop() {
      stopping ??= (async () => {
        if (started.child.exitCode !== null || started.child.signalCode !== null) return started.child.exitCode;
        started.child.kill("SIGTERM");
        const code = await Promise.race([started.exited, sleep(30_000).then(() => "timeout" as const)]);
        if (code !== "timeout") return code;
        started.child.kill("SIGKILL");
        return started.exited;
      })();
      return stopping;
    },
  };
}

/** Last resort on a crash: kills any server this process started (by the pid the helper holds). */
export function killBenchServers(): void {
  cleanUpServerProcesses();
}
