import { describe, expect, it } from "vitest";
import { toEcgClassification } from "@/lib/detect/ecg/classify-ecg";
import { ECG_CLASSES, pickEcgClass, SIM_RHYTHM_CLASS, toEcgLabel } from "@/lib/detect/ecg/ecg-classes";
import { chooseDecisionOffsets, scoreRealEcg } from "@/lib/detect/ecg/train/score-real-ecg";
import type { TRealRow } from "@/lib/detect/ecg/train/real-ecg-data";
import { labelMitdbWindow, getCincSplit, getMitdbSplits } from "@/lib/detect/ecg/train/real-ecg-data";

const probabilities = (values: Record<string, number>) => Float32Array.from(ECG_CLASSES.map((name) => values[name] ?? 0));

describe("ECG labels", () => {
  it("names sinus and other rhythms by their rate, never AF, ectopy or noise", () => {
    expect(toEcgLabel("normal_sinus", 130)).toBe("tachycardia");
    expect(toEcgLabel("other_rhythm", 42)).toBe("bradycardia");
    expect(toEcgLabel("normal_sinus", 100)).toBe("normal_sinus");
    expect(toEcgLabel("normal_sinus", 50)).toBe("normal_sinus");
    expect(toEcgLabel("atrial_fibrillation", 150)).toBe("atrial_fibrillation");
    expect(toEcgLabel("noise", 30)).toBe("noise");
    expect(toEcgLabel("normal_sinus", null)).toBe("normal_sinus");
    expect(SIM_RHYTHM_CLASS.tachycardia).toBe("normal_sinus");
  });

  it("applies the manifest's decision offsets before the argmax and reports the picked class's probability", () => {
    const result = toEcgClassification({ probabilities: probabilities({ normal_sinus: 0.55, atrial_fibrillation: 0.4, other_rhythm: 0.05 }), heartRateBpm: 88.24, modelVersion: "ecg-cnn@9.9.9" });
    expect(result).toMatchObject({ label: "normal_sinus", confidence: expect.closeTo(0.55, 6), heartRateBpm: 88.2 });
    const shifted = toEcgClassification({ probabilities: probabilities({ normal_sinus: 0.55, atrial_fibrillation: 0.4, other_rhythm: 0.05 }), heartRateBpm: 88, modelVersion: "m", decisionOffsets: { atrial_fibrillation: 0.5 } });
    expect(shifted).toMatchObject({ label: "atrial_fibrillation", confidence: expect.closeTo(0.4, 6) });
    expect(pickEcgClass(probabilities({ normal_sinus: 0.55, atrial_fibrillation: 0.4 }), { atrial_fibrillation: 0.5 })).toBe("atrial_fibrillation");
  });
});

describe("real-recording scoring", () => {
  const cinc = (label: "N" | "A" | "O" | "~"): TRealRow => ({ source: "cinc2017", record: "x", split: "test", ecgClass: "normal_sinus", cincLabel: label });
  it("scores as CinC 2017 did: F1 per class from the confusion, AF specificity over N and O only", () => {
    const rows = [cinc("N"), cinc("N"), cinc("A"), cinc("A"), cinc("O"), cinc("~")];
    const score = scoreRealEcg({ rows, predicted: ["normal_sinus", "atrial_fibrillation", "atrial_fibrillation", "other_rhythm", "ventricular_ectopy", "atrial_fibrillation"] });
    expect(score.cincConfusion).toEqual([
      [1, 1, 0, 0],
      [0, 1, 1, 0],
      [0, 0, 1, 0],
      [0, 1, 0, 0],
    ]);
    expect(score.afSensitivity).toBe(0.5);
    // N and O records: 3, one called AF (the noisy record called AF does not count here).
    expect(score.afSpecificity).toBe(0.6667);
    expect(score.normalF1).toBeCloseTo((2 * 1) / (2 + 1), 4);
    expect(score.afF1).toBeCloseTo((2 * 1) / (2 + 3), 4);
    expect(score.otherF1).toBeCloseTo((2 * 1) / (1 + 2), 4);
    expect(score.challengeF1).toBeCloseTo((score.normalF1 + score.afF1 + score.otherF1) / 3, 3);
  });

  it("chooses offsets on the rows it is given that lift AF sensitivity when the model under-calls AF", () => {
    const rows = [...Array(10).fill(cinc("A")), ...Array(30).fill(cinc("N"))] as TRealRow[];
    const probs = [...Array(10).fill(probabilities({ normal_sinus: 0.55, atrial_fibrillation: 0.45 })), ...Array(30).fill(probabilities({ normal_sinus: 0.9, atrial_fibrillation: 0.1 }))];
    expect(scoreRealEcg({ rows, predicted: probs.map((row) => pickEcgClass(row, {})) }).afSensitivity).toBe(0);
    const { offsets, score } = chooseDecisionOffsets({ rows, probabilities: probs });
    expect(offsets.atrial_fibrillation).toBeGreaterThan(0);
    expect(score.afSensitivity).toBe(1);
    expect(score.afSpecificity).toBe(1);
  });
});

describe("splits and MIT-BIH window labels", () => {
  it("splits CinC records by a fixed rule and keeps MIT-BIH patients whole", () => {
    expect(getCincSplit("A00001")).toBe(getCincSplit("A00001"));
    const shares = { train: 0, validation: 0, test: 0 };
    for (let index = 1; index <= 2000; index += 1) shares[getCincSplit(`A${String(index).padStart(5, "0")}`)] += 1;
    expect(shares.train / 2000).toBeCloseTo(0.7, 1);
    expect(shares.test / 2000).toBeCloseTo(0.2, 1);
    const splits = getMitdbSplits(Array.from({ length: 20 }, (_, index) => ({ patient: `p${index}`, beats: Array.from({ length: 100 - index }, (__, beat) => ({ sample: beat, symbol: "V" })) })));
    expect([...splits.values()].filter((split) => split === "test")).toHaveLength(4);
  });

  it("labels a 30 s window from the beats and rhythm spans", () => {
    const beats = (symbols: string[]) => symbols.map((symbol, index) => ({ sample: 100 + index * 300, symbol }));
    const sinus = [{ rhythm: "N", startSample: 0, endSample: 10_800 }];
    expect(labelMitdbWindow({ beats: beats(Array(30).fill("N")), rhythms: sinus }, 0, 10_800).ecgClass).toBe("normal_sinus");
    expect(labelMitdbWindow({ beats: beats(["N", "V", "N", "V", "N", "V"]), rhythms: sinus }, 0, 10_800)).toMatchObject({ ecgClass: "ventricular_ectopy", veBeats: 3 });
    expect(labelMitdbWindow({ beats: beats(["N", "V", "N"]), rhythms: sinus }, 0, 10_800).ecgClass).toBeNull();
    expect(labelMitdbWindow({ beats: beats(["N", "V", "V", "V"]), rhythms: [{ rhythm: "AFIB", startSample: 0, endSample: 10_800 }] }, 0, 10_800).ecgClass).toBe("atrial_fibrillation");
    expect(labelMitdbWindow({ beats: beats(Array(30).fill("/")), rhythms: [{ rhythm: "P", startSample: 0, endSample: 10_800 }] }, 0, 10_800).ecgClass).toBe("other_rhythm");
  });
});
