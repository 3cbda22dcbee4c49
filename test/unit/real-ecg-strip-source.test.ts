// The real ECG strip source: which recordings stand for which simulated rhythm, the deterministic
// rate-aware pick (pure, always run), and a small index over the real files when PULSEGUARD_DATA_DIR
// points at the data (CI: ../shared/data; skipped without it). A few seconds: 25 CinC recordings per
// label and MIT-BIH's annotations, never cached.
import { describe, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { createRealEcgStripSource, getRhythmOfEntry, pickRealStripEntry, type TRealEcgStripSource, type TRealStripEntry } from "@/lib/datasets/create-real-ecg-strip-source";
import { getCincSplit } from "@/lib/detect/ecg/train/real-ecg-data";
import { ZEcgStripUploadSchema } from "@/lib/detect/service/ecg-strip-upload";
import { encodeEcgSamples } from "@/lib/sim/ecg";

const dataDir = getConfig().PULSEGUARD_DATA_DIR;

const cinc = (record: string, label: string, rateBpm: number | null): TRealStripEntry => ({ source: "cinc2017", record, split: "test", label, startSample: 0, sampleCount: 9000, sampleRateHz: 300, rateBpm });

describe("which real recordings stand for a simulated rhythm", () => {
  it("buckets CinC recordings by label and detected rate", () => {
    expect(getRhythmOfEntry(cinc("A1", "N", 72))).toBe("normal_sinus");
    expect(getRhythmOfEntry(cinc("A1", "N", 50))).toBe("normal_sinus");
    expect(getRhythmOfEntry(cinc("A1", "N", 100))).toBe("normal_sinus");
    expect(getRhythmOfEntry(cinc("A1", "N", 101))).toBe("tachycardia");
    expect(getRhythmOfEntry(cinc("A1", "O", 130))).toBe("tachycardia");
    expect(getRhythmOfEntry(cinc("A1", "O", 80))).toBeNull();
    expect(getRhythmOfEntry(cinc("A1", "N", 45))).toBe("bradycardia");
    expect(getRhythmOfEntry(cinc("A1", "O", 45))).toBeNull();
    expect(getRhythmOfEntry(cinc("A1", "A", 120))).toBe("atrial_fibrillation");
    expect(getRhythmOfEntry(cinc("A1", "~", null))).toBe("noise");
    expect(getRhythmOfEntry(cinc("A1", "N", null))).toBeNull();
  });

  it("takes MIT-BIH windows for ventricular ectopy, and slow sinus windows for bradycardia", () => {
    const window = { source: "mitdb" as const };
    expect(getRhythmOfEntry({ ...window, label: "ventricular_ectopy", rateBpm: 80 })).toBe("ventricular_ectopy");
    expect(getRhythmOfEntry({ ...window, label: "normal_sinus", rateBpm: 44 })).toBe("bradycardia");
    expect(getRhythmOfEntry({ ...window, label: "normal_sinus", rateBpm: 70 })).toBeNull();
  });
});

describe("pickRealStripEntry", () => {
  const sinus = Array.from({ length: 60 }, (_, index) => cinc(`S${String(index).padStart(3, "0")}`, "N", 50 + (index % 51)));

  it("gives the same recording for the same key, and spreads different keys", () => {
    const pick = (key: string) => pickRealStripEntry({ candidates: sinus, rhythm: "normal_sinus", heartRateBpm: 75, key })?.record;
    expect(pick("watch-1:request-1")).toBe(pick("watch-1:request-1"));
    expect(pickRealStripEntry({ candidates: [...sinus].reverse(), rhythm: "normal_sinus", heartRateBpm: 75, key: "watch-1:request-1" })?.record).toBe(pick("watch-1:request-1"));
    const picked = new Set(Array.from({ length: 40 }, (_, index) => pick(`watch-1:request-${index}`)));
    expect(picked.size).toBeGreaterThan(5);
  });

  it("draws among the recordings closest to the asked rate", () => {
    for (let index = 0; index < 30; index += 1) {
      const entry = pickRealStripEntry({ candidates: sinus, rhythm: "normal_sinus", heartRateBpm: 95, key: `k${index}` });
      expect(Math.abs(entry!.rateBpm! - 95)).toBeLessThanOrEqual(10);
    }
    // Far from every candidate: still a pick, among the nearest twelve (89-100 bpm).
    const far = pickRealStripEntry({ candidates: sinus, rhythm: "normal_sinus", heartRateBpm: 200, key: "far" });
    expect(far!.rateBpm).toBeGreaterThanOrEqual(89);
  });

  it("ignores the rate for noise, and has nothing without candidates", () => {
    const noise = [cinc("N1", "~", null), cinc("N2", "~", null)];
    expect(noise).toContain(pickRealStripEntry({ candidates: noise, rhythm: "noise", heartRateBpm: 80, key: "k" }));
    expect(pickRealStripEntry({ candidates: [], rhythm: "atrial_fibrillation", heartRateBpm: 80, key: "k" })).toBeNull();
  });
});

describe.skipIf(!dataDir)("real strips from the data directory (PULSEGUARD_DATA_DIR)", () => {
  // The small test index is never cached; the archives are extracted into .data/datasets as for every
  // dataset test.
  let all: Promise<TRealEcgStripSource | null> | undefined;
  let testOnly: Promise<TRealEcgStripSource | null> | undefined;
  const getAll = () => (all ??= createRealEcgStripSource({ dataDir: dataDir!, cincPerLabelLimit: 25 }));
  const getTestOnly = () => (testOnly ??= createRealEcgStripSource({ dataDir: dataDir!, splits: ["test"], cincPerLabelLimit: 25 }));

  it("indexes both datasets and cuts strips the device API accepts, at the recording's own rate", async () => {
    const source = (await getAll())!;
    expect(source.datasets).toEqual(["cinc2017", "mitdb"]);
    expect(source.fromCache).toBe(false);
    expect(source.counts.normal_sinus).toBeGreaterThan(0);
    expect(source.counts.atrial_fibrillation).toBeGreaterThan(0);
    expect(source.counts.noise).toBeGreaterThan(0);
    expect(source.counts.ventricular_ectopy).toBeGreaterThan(0);
    for (const [rhythm, heartRateBpm, sampleRateHz] of [
      ["normal_sinus", 70, 300],
      ["ventricular_ectopy", 80, 360],
    ] as const) {
      const strip = (await source.pickStrip({ rhythm, heartRateBpm, key: "device-1:request-1" }))!;
      expect(strip.sampleRateHz).toBe(sampleRateHz);
      expect(strip.samples.length).toBeLessThanOrEqual(30 * sampleRateHz);
      expect(strip.samples.length).toBeGreaterThanOrEqual(10 * sampleRateHz);
      const body = { requestId: "3f1c1a52-6a7e-4c36-9d55-2b7f1d0b8f10", recordedAt: new Date().toISOString(), sampleRateHz: strip.sampleRateHz, samplesLe16: encodeEcgSamples(strip.samples) };
      expect(ZEcgStripUploadSchema.safeParse(body).success).toBe(true);
      const again = (await source.pickStrip({ rhythm, heartRateBpm, key: "device-1:request-1" }))!;
      expect(again.stripId).toBe(strip.stripId);
      expect(again.samples).toEqual(strip.samples);
    }
  });

  it("puts every recording in its rate bucket", async () => {
    const source = (await getAll())!;
    for (let index = 0; index < 20; index += 1) {
      const sinus = source.pickEntry({ rhythm: "normal_sinus", heartRateBpm: 60 + index * 2, key: `k${index}` })!;
      expect(sinus.label).toBe("N");
      expect(sinus.rateBpm).toBeGreaterThanOrEqual(50);
      expect(sinus.rateBpm).toBeLessThanOrEqual(100);
      const fast = source.pickEntry({ rhythm: "tachycardia", heartRateBpm: 130, key: `k${index}` });
      if (fast) expect(fast.rateBpm).toBeGreaterThan(100);
      const slow = source.pickEntry({ rhythm: "bradycardia", heartRateBpm: 40, key: `k${index}` });
      if (slow) expect(slow.rateBpm).toBeLessThan(50);
      expect(source.pickEntry({ rhythm: "atrial_fibrillation", heartRateBpm: 110, key: `k${index}` })!.label).toBe("A");
      expect(source.pickEntry({ rhythm: "noise", heartRateBpm: 90, key: `k${index}` })!.label).toBe("~");
    }
  });

  it("draws only test-split recordings in test-split mode", async () => {
    const source = (await getTestOnly())!;
    expect(source.splits).toEqual(["test"]);
    const rhythms = ["normal_sinus", "atrial_fibrillation", "tachycardia", "bradycardia", "ventricular_ectopy", "noise"] as const;
    let picked = 0;
    for (const rhythm of rhythms) {
      for (let index = 0; index < 10; index += 1) {
        const entry = source.pickEntry({ rhythm, heartRateBpm: 80, key: `k${index}` });
        if (!entry) continue;
        picked += 1;
        expect(entry.split).toBe("test");
        if (entry.source === "cinc2017") expect(getCincSplit(entry.record)).toBe("test");
      }
    }
    expect(picked).toBeGreaterThan(20);
    // MIT-BIH's test patients hold ventricular ectopy (the split is stratified by it).
    expect(source.counts.ventricular_ectopy).toBeGreaterThan(0);
  });
});
