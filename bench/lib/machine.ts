// The machine a benchmark ran on, and where its CPU went while it ran (Linux /proc; elsewhere the
// per-process figures are left out rather than guessed).
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

export type TMachine = { cpuModel: string; cores: number; memoryGiB: number; node: string; platform: string };

export function describeMachine(): TMachine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() || "unknown",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

// USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux build.
const CLOCK_TICKS_PER_S = 100;

function readProcessCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / CLOCK_TICKS_PER_S : null;
  } catch {
    return null;
  }
}

function readMachineCpuMs(): { busyMs: number; totalMs: number } {
  // os.cpus() is empty when /proc/stat cannot be read; totalMs 0 marks the reading as missing.
  let busyMs = 0;
  let totalMs = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busyMs += user + nice + sys + irq;
    totalMs += user + nice + sys + idle + irq;
  }
  return { busyMs, totalMs };
}

/**
 * CPU of the PostgreSQL processes that work for the benchmark: the backends connected to its scratch
 * database (their process title names it) and the server's own background processes (WAL writer,
 * checkpointer, ...). Backends of other databases (someone else's tests) are left out.
 */
function readPostgresCpuMs(databaseName: string): Map<number, number> {
  const cpuByPid = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return cpuByPid;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") continue;
      const title = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      const isBackend = /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]/.test(title);
      if (isBackend && !title.includes(` ${databaseName} `)) continue;
      const ms = readProcessCpuMs(Number(pid));
      if (ms !== null) cpuByPid.set(Number(pid), ms);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return cpuByPid;
}

/** CPU use in percent of one core (null where unknown); machine use in percent of all cores. */
export type TCpuSample = {
  benchPct: number;
  serverPct: number | null;
  /** PostgreSQL working for this run; null on PGlite, which runs inside the server process. */
  dbPct: number | null;
  /** Everything else on the machine: other people's work competing with the benchmark. */
  otherPct: number | null;
  machinePct: number | null;
};

/** Samples CPU between calls: this process, the server process, the database and the whole machine. */
export function createCpuMeter(options: { getServerPid: () => number | undefined; postgresDatabase?: string }) {
  const cores = os.cpus().length;
  const serverCpu = () => {
    const pid = options.getServerPid();
    return pid === undefined ? null : { pid, ms: readProcessCpuMs(pid) };
  };
  const take = () => ({
    at: performance.now(),
    bench: process.cpuUsage(),
    server: serverCpu(),
    db: options.postgresDatabase ? readPostgresCpuMs(options.postgresDatabase) : null,
    machine: readMachineCpuMs(),
  });
  type TSnapshot = ReturnType<typeof take>;
  const between = (from: TSnapshot, to: TSnapshot): TCpuSample => {
    const wallMs = to.at - from.at;
    const pct = (ms: number | null) => (ms === null ? null : wallMs > 0 ? (100 * ms) / wallMs : 0);
    const samePid = to.server && from.server && to.server.pid === from.server.pid && to.server.ms !== null && from.server.ms !== null;
    const serverPct = pct(samePid ? to.server!.ms! - from.server!.ms! : null);
    const benchPct = pct((to.bench.user - from.bench.user + to.bench.system - from.bench.system) / 1000)!;
    let dbPct: number | null = null;
    if (to.db && from.db) {
      let ms = 0;
      // A backend that appeared in between counts from zero.
      for (const [pid, now] of to.db) ms += now - (from.db.get(pid) ?? 0);
      dbPct = pct(ms);
    }
    // A failed read (e.g. out of file descriptors mid-run) shows as a gap, never as a made-up number.
    const machineKnown = from.machine.totalMs > 0 && to.machine.totalMs > from.machine.totalMs;
    const machinePct = machineKnown ? (100 * (to.machine.busyMs - from.machine.busyMs)) / (to.machine.totalMs - from.machine.totalMs) : null;
    const otherPct = machinePct === null || serverPct === null ? null : Math.max(0, machinePct * cores - benchPct - serverPct - (dbPct ?? 0));
    return { benchPct, serverPct, dbPct, otherPct, machinePct };
  };
  let base = take();
  let last = base;
  return {
    /** CPU since the previous call (or since reset). */
    sample(): TCpuSample {
      const now = take();
      const sample = between(last, now);
      last = now;
      return sample;
    },
    /** CPU from reset() to now, from two readings (so a failed reading in between does not matter). */
    average: (): TCpuSample => between(base, take()),
    reset() {
      base = take();
      last = base;
    },
  };
}

export function formatCpu(sample: TCpuSample): string {
  const pct = (value: number | null) => (value === null ? "?" : `${Math.round(value)}%`);
  const db = sample.dbPct === null ? "" : ` db ${pct(sample.dbPct)}`;
  return `cpu server ${pct(sample.serverPct)} bench ${pct(sample.benchPct)}${db} other ${pct(sample.otherPct)} (machine ${pct(sample.machinePct)})`;
}
