// Beat-by-beat comparison of detected beats with reference annotations, as ANSI/AAMI EC57 scores a QRS
// detector: a detection within the tolerance (150 ms in EC57) of a reference beat matches it, and each
// reference beat and each detection is used at most once. Where two pairings compete, the closer pair
// wins (beats are >= 200 ms apart and the tolerance is 150 ms, so a beat has at most two candidates and
// closest-first gives the same counts as an optimal assignment in practice).
//
// The scored interval keeps both sides fair at a cut: matching runs over every beat, then a reference
// beat outside the interval is neither a hit nor a miss and an unmatched detection outside it is not a
// false positive. A pair is counted by its reference beat, so a detection just inside the edge that
// matches a reference beat just outside it is neither a TP nor an FP.

/** EC57's match window for QRS detection. */
export const EC57_MATCH_TOLERANCE_S = 0.15;

export type TBeatMatch = {
  truePositives: number;
  falseNegatives: number;
  falsePositives: number;
  /** detected - reference of each scored true positive, seconds. */
  errorsS: number[];
};

export function matchBeats(options: {
  /** Reference beat times, seconds, ascending. */
  referenceS: readonly number[];
  /** Detected beat times, seconds, ascending. */
  detectedS: readonly number[];
  toleranceS?: number;
  /** Only beats in [scoredFromS, scoredToS] count; default everything. */
  scoredFromS?: number;
  scoredToS?: number;
}): TBeatMatch {
  const { referenceS, detectedS } = options;
  const toleranceS = options.toleranceS ?? EC57_MATCH_TOLERANCE_S;
  const fromS = options.scoredFromS ?? Number.NEGATIVE_INFINITY;
  const toS = options.scoredToS ?? Number.POSITIVE_INFINITY;
  const isScored = (timeS: number) => timeS >= fromS && timeS <= toS;

  const pairs: { reference: number; detected: number; distanceS: number }[] = [];
  let firstCandidate = 0;
  for (let reference = 0; reference < referenceS.length; reference += 1) {
    const timeS = referenceS[reference] as number;
    while (firstCandidate < detectedS.length && (detectedS[firstCandidate] as number) < timeS - toleranceS) firstCandidate += 1;
    for (let detected = firstCandidate; detected < detectedS.length && (detectedS[detected] as number) <= timeS + toleranceS; detected += 1) {
      pairs.push({ reference, detected, distanceS: Math.abs((detectedS[detected] as number) - timeS) });
    }
  }
  pairs.sort((a, b) => a.distanceS - b.distanceS || a.reference - b.reference);

  const referenceMatch = new Int32Array(referenceS.length).fill(-1);
  const detectedMatched = new Uint8Array(detectedS.length);
  for (const pair of pairs) {
    if (referenceMatch[pair.reference] !== -1 || detectedMatched[pair.detected] === 1) continue;
    referenceMatch[pair.reference] = pair.detected;
    detectedMatched[pair.detected] = 1;
  }

  const result: TBeatMatch = { truePositives: 0, falseNegatives: 0, falsePositives: 0, errorsS: [] };
  for (let reference = 0; reference < referenceS.length; reference += 1) {
    const timeS = referenceS[reference] as number;
    if (!isScored(timeS)) continue;
    const detected = referenceMatch[reference] as number;
    if (detected === -1) {
      result.falseNegatives += 1;
    } else {
      result.truePositives += 1;
      result.errorsS.push((detectedS[detected] as number) - timeS);
    }
  }
  for (let detected = 0; detected < detectedS.length; detected += 1) {
    if (detectedMatched[detected] === 0 && isScored(detectedS[detected] as number)) result.falsePositives += 1;
  }
  return result;
}
