// Preloaded into the server process (NODE_OPTIONS=--import) by `bench:ingest --server-cpu-prof DIR`:
// Node 20 refuses --cpu-prof in NODE_OPTIONS, so the profiler is driven through the inspector instead.
// The profile is written when the process exits; open it in Chrome DevTools or speedscope.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const dir = process.env.PULSEGUARD_BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  // 1 ms sampling (the default is ~1 ms as well; stated so the profile's resolution is known).
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  process.on("exit", () => {
    // Same-thread inspector sessions answer synchronously, so this completes inside the exit handler.
    session.post("Profiler.stop", (error, result) => {
      if (!error) writeFileSync(path.join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
