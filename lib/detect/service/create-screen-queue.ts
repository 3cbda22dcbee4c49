// Server-only. The order in which stored heart rate goes through the watch screen, and when.
//
// A group commit of a drained backlog holds up to 20,000 samples, ~60 ms of screening. Run in one go
// after each commit, every step of an alert in flight (its ECG request, strip, classification, write and
// push) waited behind it, once per group: the alert raised during bench:alerts' history burst took
// 130-839 ms on PostgreSQL. So screening runs in slices of a few milliseconds that yield to the event
// loop, and a patient with live data waiting (data that can still trigger an ECG request) goes before
// everyone's history: a plain first-in first-out queue made that alert wait 262 ms behind the history.
// Live data is also never left to pile up: while any is queued, the writer waits before its next commit
// (run() hands it a promise), as it did when screening ran inside the commit, but the event loop turns.
// History may queue up to maxBacklogSamples. Each patient's batches stay in commit order (the screen
// reads a stream in time order).
export type TScreenQueue<T> = {
  /** Queues one stored batch of a patient; `isLive` moves the patient ahead of those with history only. */
  push(patientId: string, entry: T, options: { samples: number; isLive: boolean }): void;
  /**
   * Screens now for up to one slice if no slice is scheduled. Returns a promise for the writer to wait
   * on while live data is still queued (settled when it has been screened) or the backlog is too long
   * (settled when the queue is empty).
   */
  run(): Promise<void> | undefined;
  backlogSamples(): number;
};

export function createScreenQueue<T>(options: {
  screen: (entry: T) => void;
  /** How long one slice may run before it yields. */
  sliceMs: number;
  /** Queued samples beyond which run() hands back a promise that settles when the queue is empty. */
  maxBacklogSamples: number;
  /** How a slice yields; tests may pass their own. */
  defer?: (fn: () => void) => void;
}): TScreenQueue<T> {
  const defer = options.defer ?? ((fn) => void setImmediate(fn));
  // Insertion order: the patient waiting longest first.
  const pending = new Map<string, { entries: { entry: T; samples: number }[]; head: number }>();
  const live = new Set<string>();
  let backlog = 0;
  let isScheduled = false;
  let idleWaiters: (() => void)[] = [];
  let liveWaiters: (() => void)[] = [];

  const settle = (waiters: (() => void)[]) => {
    for (const resolve of waiters) resolve();
  };

  const nextPatient = (): string => live.values().next().value ?? pending.keys().next().value!;

  function slice() {
    isScheduled = false;
    const endMs = performance.now() + options.sliceMs;
    while (pending.size > 0) {
      const patientId = nextPatient();
      const queue = pending.get(patientId)!;
      const { entry, samples } = queue.entries[queue.head]!;
      queue.head += 1;
      backlog -= samples;
      if (queue.head === queue.entries.length) {
        pending.delete(patientId);
        live.delete(patientId);
      }
      options.screen(entry);
      if (live.size === 0 && liveWaiters.length > 0) {
        settle(liveWaiters);
        liveWaiters = [];
      }
      if (pending.size > 0 && performance.now() >= endMs) {
        isScheduled = true;
        defer(slice);
        return;
      }
    }
    const waiters = idleWaiters;
    idleWaiters = [];
    settle(waiters);
  }

  return {
    push(patientId, entry, { samples, isLive }) {
      let queue = pending.get(patientId);
      if (!queue) {
        queue = { entries: [], head: 0 };
        pending.set(patientId, queue);
      }
      queue.entries.push({ entry, samples });
      backlog += samples;
      if (isLive) live.add(patientId);
    },
    run() {
      if (!isScheduled && pending.size > 0) slice();
      if (backlog > options.maxBacklogSamples) return new Promise<void>((resolve) => idleWaiters.push(resolve));
      if (live.size > 0) return new Promise<void>((resolve) => liveWaiters.push(resolve));
      return undefined;
    },
    backlogSamples: () => backlog,
  };
}
