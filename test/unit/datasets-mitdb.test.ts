// Reads real MIT-BIH records when PULSEGUARD_DATA_DIR points at the data (CI: ../shared/data); skipped
// without it. A few seconds: two records are read, and the detector runs on five 30 s strips.
import { describe, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { listMitdbRecords, locateDatasetOrThrow, readMitdbRecord } from "@/lib/datasets";
import { MODEL_SAMPLE_RATE_HZ } from "@/lib/detect/ecg/ecg-input-spec";
import { resampleEcg } from "@/lib/detect/ecg/resample-ecg";
import { detectQrs } from "@/lib/detect/qrs";
import { matchBeats } from "@/lib/detect/qrs/match-beats";
import { deriveHeartRateSeries } from "@/lib/detect/screen/derive-heart-rate-series";

const dataDir = getConfig().PULSEGUARD_DATA_DIR;

describe.skipIf(!dataDir)("MIT-BIH Arrhythmia Database records", () => {
  const getDatasetDir = () => locateDatasetOrThrow({ dataDir: dataDir as string, dataset: "mitdb" });

  it("lists the records present, 201 and 202 among them", () => {
    const records = listMitdbRecords(getDatasetDir());
    expect(records.length).toBeGreaterThanOrEqual(2);
    expect(records).toEqual(expect.arrayContaining(["101", "201", "202"]));
  });

  it("reads record 101: 30 min of MLII at 360 Hz and its 1865 reference beats", async () => {
    const record = await readMitdbRecord({ datasetDir: getDatasetDir(), record: "101" });
    expect(record.sampleRateHz).toBe(360);
    expect(record.ecgMv.length).toBe(650_000);
    expect(record.leadName).toBe("MLII");
    // PhysioNet's table for 101: 1860 normal, 3 atrial premature and 2 unclassifiable beats.
    expect(record.beats.length).toBe(1865);
    expect(record.beats.filter((beat) => beat.symbol === "N").length).toBe(1860);
    expect(record.rhythms.map((span) => span.rhythm)).toEqual(["N"]);
    // Millivolts: R waves of a limb lead are a few tenths to a few mV.
    let maxMv = 0;
    for (const value of record.ecgMv.subarray(0, 3600)) maxMv = Math.max(maxMv, Math.abs(value));
    expect(maxMv).toBeGreaterThan(0.3);
    expect(maxMv).toBeLessThan(5);
  });

  it("gives 201 its AF spans, and 202 the same patient", async () => {
    const datasetDir = getDatasetDir();
    const record = await readMitdbRecord({ datasetDir, record: "201" });
    expect(record.rhythms.some((span) => span.rhythm === "AFIB" && span.endSample - span.startSample > 60 * record.sampleRateHz)).toBe(true);
    expect((await readMitdbRecord({ datasetDir, record: "202" })).patient).toBe(record.patient);
  });

  it("derives a plausible 1 Hz heart rate from the reference beats", async () => {
    const record = await readMitdbRecord({ datasetDir: getDatasetDir(), record: "101" });
    const bpm = deriveHeartRateSeries({ beatTimesS: record.beats.map((beat) => beat.sample / record.sampleRateHz), durationS: record.ecgMv.length / record.sampleRateHz });
    expect(bpm.length).toBe(1805);
    const readings = Array.from(bpm).filter((value) => value > 0);
    expect(readings.length).toBeGreaterThan(0.98 * bpm.length);
    const sorted = readings.sort((a, b) => a - b);
    // 1865 beats in 30 min: about 62 bpm on average.
    expect(sorted[sorted.length >> 1]).toBeGreaterThan(50);
    expect(sorted[sorted.length >> 1]).toBeLessThan(80);
    expect(sorted[0]).toBeGreaterThan(35);
    expect(sorted.at(-1)).toBeLessThan(120);
  });

  it("finds the beats of clean 30 s strips of 101 as the ECG model's path runs the detector (Se and +P >= 0.99)", async () => {
    const record = await readMitdbRecord({ datasetDir: getDatasetDir(), record: "101" });
    const stripLength = 30 * record.sampleRateHz;
    let truePositives = 0;
    let falseNegatives = 0;
    let falsePositives = 0;
    for (let strip = 0; strip < 5; strip += 1) {
      const start = strip * stripLength;
      const samples = resampleEcg({ samples: record.ecgMv.subarray(start, start + stripLength), fromHz: record.sampleRateHz, toHz: MODEL_SAMPLE_RATE_HZ });
      const detection = detectQrs({ samples, sampleRateHz: MODEL_SAMPLE_RATE_HZ });
      const referenceS = record.beats.filter((beat) => beat.sample >= start && beat.sample < start + stripLength).map((beat) => (beat.sample - start) / record.sampleRateHz);
      const match = matchBeats({ referenceS, detectedS: detection.beatTimesS, scoredFromS: 0.3, scoredToS: 29.7 });
      truePositives += match.truePositives;
      falseNegatives += match.falseNegatives;
      falsePositives += match.falsePositives;
    }
    expect(truePositives).toBeGreaterThan(140);
    expect(truePositives / (truePositives + falseNegatives)).toBeGreaterThanOrEqual(0.99);
    expect(truePositives / (truePositives + falsePositives)).toBeGreaterThanOrEqual(0.99);
  });
});
