/**
 * Simulated time for the virtual devices. With a speed-up, simulated time runs faster than the wall
 * clock; it starts far enough in the past that it reaches "now" when the run ends, because the server
 * (rightly) refuses samples from the future.
 */
export type TSimClock = { nowSimMs(): number; speedup: number; startSimMs: number };

export function createSimClock(options: { speedup: number; durationSimMs?: number; nowMs?: () => number }): TSimClock {
  const nowMs = options.nowMs ?? Date.now;
  const realStartMs = nowMs();
  const startSimMs = options.speedup > 1 && options.durationSimMs ? realStartMs - options.durationSimMs : realStartMs;
  return {
    speedup: options.speedup,
    startSimMs,
    nowSimMs: () => Math.min(startSimMs + (nowMs() - realStartMs) * options.speedup, nowMs()),
  };
}
