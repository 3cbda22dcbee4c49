// Where the simulated watches' ECG strips come from: real recordings of the rhythm they are in when a
// data directory is configured (lib/datasets/create-real-ecg-strip-source.ts), else synthetic strips
// (lib/sim/ecg), as on a fresh machine with no data.
import { createRealEcgStripSource } from "../../lib/datasets/create-real-ecg-strip-source";
import type { TEcgRhythm } from "../../lib/sim/ecg";

export type TWatchStrip = { samples: Float32Array; sampleRateHz: number; stripId: string };

export type TWatchStripSource = {
  /** A real strip of this rhythm and rate, the same one for the same key; null: send a synthetic one. */
  recordRealStrip(options: { rhythm: TEcgRhythm; heartRateBpm: number; key: string }): Promise<TWatchStrip | null>;
};

export type TStripSourceLog = (message: string, fields: Record<string, unknown>) => void;

/**
 * Starts indexing the data directory in the background and returns at once, so a server start is not
 * held up: the first index takes ~30 s (later starts read its cache). Until it is ready, and for a
 * rhythm the data has no recording of, watches send synthetic strips; a request should be answered
 * whatever the state of the index. Logs once which source is in use (dataset ids and counts only).
 */
export function startWatchStripSource(options: { dataDir: string | null | undefined; log: TStripSourceLog }): TWatchStripSource | undefined {
  const { dataDir, log } = options;
  if (!dataDir) {
    log("ECG strips: synthetic (no data directory: --data or PULSEGUARD_DATA_DIR)", { source: "synthetic" });
    return undefined;
  }
  let ready: Awaited<ReturnType<typeof createRealEcgStripSource>> = null;
  log("ECG strips: indexing real recordings in the background; synthetic strips until ready", { source: "real", dataDir });
  createRealEcgStripSource({ dataDir }).then(
    (source) => {
      if (!source) {
        log("ECG strips: synthetic (the data directory holds neither CinC 2017 nor MIT-BIH)", { source: "synthetic", dataDir });
        return;
      }
      ready = source;
      log("ECG strips: real recordings", { source: "real", datasets: source.datasets, counts: source.counts, fromCache: source.fromCache, indexMs: Math.round(source.indexMs) });
    },
    (error: unknown) => {
      log("ECG strips: synthetic (indexing the real recordings failed)", { source: "synthetic", error: error instanceof Error ? error.message : String(error) });
    },
  );
  return {
    async recordRealStrip(request) {
      if (!ready) return null;
      try {
        const strip = await ready.pickStrip(request);
        return strip && { samples: strip.samples, sampleRateHz: strip.sampleRateHz, stripId: strip.stripId };
      } catch (error) {
        // An unreadable recording must not leave the request unanswered: this one gets a synthetic strip.
        log("ECG strips: a real recording could not be read; synthetic strip sent", { error: error instanceof Error ? error.message : String(error) });
        return null;
      }
    },
  };
}
