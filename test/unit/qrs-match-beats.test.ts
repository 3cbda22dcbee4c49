import { describe, expect, it } from "vitest";
import { EC57_MATCH_TOLERANCE_S, matchBeats } from "@/lib/detect/qrs/match-beats";

describe("matchBeats (EC57 beat-by-beat comparison)", () => {
  it("counts hits, misses and extra detections within the 150 ms tolerance", () => {
    const referenceS = [1, 2, 3, 4, 5];
    const detectedS = [1.02, 2.149, 3.4, 4.5, 5];
    const match = matchBeats({ referenceS, detectedS });
    // 1, 2 (149 ms off) and 5 match; 3 and 4 are missed; 3.4 and 4.5 are extra.
    expect(match).toMatchObject({ truePositives: 3, falseNegatives: 2, falsePositives: 2 });
    expect(match.errorsS.map((error) => Number(error.toFixed(3)))).toEqual([0.02, 0.149, 0]);
    expect(EC57_MATCH_TOLERANCE_S).toBe(0.15);
  });

  it("uses each reference beat and each detection once, the closer pair first", () => {
    // Two detections near one beat: one hit, one false positive.
    expect(matchBeats({ referenceS: [1], detectedS: [0.95, 1.01] })).toMatchObject({ truePositives: 1, falseNegatives: 0, falsePositives: 1 });
    // One detection between two beats 250 ms apart: it goes to the closer one, the other is missed.
    const between = matchBeats({ referenceS: [1, 1.25], detectedS: [1.14] });
    expect(between).toMatchObject({ truePositives: 1, falseNegatives: 1, falsePositives: 0 });
    expect(between.errorsS[0]).toBeCloseTo(-0.11, 6);
  });

  it("does not score either side outside the scored interval", () => {
    const match = matchBeats({ referenceS: [0.1, 1, 2, 29.9], detectedS: [0.2, 1, 2.5, 29.95], scoredFromS: 0.3, scoredToS: 29.7 });
    // 0.1/0.2 and 29.9/29.95 are edge pairs: neither hits nor misses; 2 is missed, 2.5 is extra.
    expect(match).toMatchObject({ truePositives: 1, falseNegatives: 1, falsePositives: 1 });
    // An unmatched detection at the edge is no false positive, a missed beat at the edge no miss.
    expect(matchBeats({ referenceS: [29.8], detectedS: [0.1], scoredFromS: 0.3, scoredToS: 29.7 })).toMatchObject({ truePositives: 0, falseNegatives: 0, falsePositives: 0 });
  });

  it("handles empty inputs", () => {
    expect(matchBeats({ referenceS: [], detectedS: [] })).toMatchObject({ truePositives: 0, falseNegatives: 0, falsePositives: 0 });
    expect(matchBeats({ referenceS: [1, 2], detectedS: [] })).toMatchObject({ falseNegatives: 2 });
    expect(matchBeats({ referenceS: [], detectedS: [1, 2] })).toMatchObject({ falsePositives: 2 });
  });
});
