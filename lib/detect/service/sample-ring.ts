// A patient's evidence window: the last N screened samples, kept in three typed arrays. An array of
// sample objects was 120 small objects per patient; at 10,000 patients the collector had 1.2 million of
// them to trace on every full collection (bench:ingest: a third of a second of both cores every ~25 s).

export type TSampleRing = {
  push(atMs: number, bpm: number, activity: number): void;
  /** Oldest first; `firstAtMs` is null while empty. */
  read(): { firstAtMs: number | null; bpm: number[]; activity: number[] };
};

export function createSampleRing(capacity: number): TSampleRing {
  const atMs = new Float64Array(capacity);
  const bpm = new Float64Array(capacity);
  const activity = new Float64Array(capacity);
  let next = 0;
  let size = 0;
  return {
    push(sampleAtMs, sampleBpm, sampleActivity) {
      atMs[next] = sampleAtMs;
      bpm[next] = sampleBpm;
      activity[next] = sampleActivity;
      next = (next + 1) % capacity;
      size = Math.min(capacity, size + 1);
    },
    read() {
      const first = (next - size + capacity) % capacity;
      const order = Array.from({ length: size }, (_, index) => (first + index) % capacity);
      return { firstAtMs: size > 0 ? (atMs[first] as number) : null, bpm: order.map((at) => bpm[at] as number), activity: order.map((at) => activity[at] as number) };
    },
  };
}
