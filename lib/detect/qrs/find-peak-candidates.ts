export type TPeakCandidate = { index: number; height: number };

// A valley must fall below this share of the lower of the two maxima either side of it to separate two
// humps of the integrated signal; shallower dips are the ripple of one QRS (its Q, R and S lobes).
const HUMP_VALLEY_RATIO = 0.5;

/**
 * The highest local maximum of each hump of the signal, in time order. A maximum joins the current hump
 * if it lies within maxSpan samples of the hump's peak and the signal did not fall, since that peak,
 * below HUMP_VALLEY_RATIO of the lower of the two. The span limit keeps two beats whose humps run into
 * each other (AF at 240 bpm, noisy 100 Hz strips) apart.
 */
function findHumpPeaks(signal: Float64Array, maxSpan: number): TPeakCandidate[] {
  const humps: TPeakCandidate[] = [];
  let current: TPeakCandidate | undefined;
  let valley = Number.POSITIVE_INFINITY;
  // Strip ends are never maxima: a maximum there is the tail of a beat outside the strip.
  for (let index = 1; index < signal.length - 1; index += 1) {
    const value = signal[index] as number;
    valley = Math.min(valley, value);
    if (!(value > 0 && value > (signal[index - 1] as number) && value >= (signal[index + 1] as number))) continue;
    if (current !== undefined && index - current.index <= maxSpan && valley >= HUMP_VALLEY_RATIO * Math.min(current.height, value)) {
      if (value <= current.height) continue;
      current = { index, height: value };
    } else {
      if (current !== undefined) humps.push(current);
      current = { index, height: value };
    }
    valley = value;
  }
  if (current !== undefined) humps.push(current);
  return humps;
}

/**
 * The hump peaks of the integrated signal that are the largest of all hump peaks within
 * +-separation samples. Two QRS complexes cannot lie closer than the refractory period, so of two
 * humps that close only the larger can be a beat; keeping only it is the refractory rule applied before
 * thresholding. Humps are compared with humps, not with every sample: the rising flank of a tall beat
 * 210 ms away must not hide a smaller beat. Linear time (a monotonic queue over the hump peaks).
 */
export function findPeakCandidates(options: { signal: Float64Array; separation: number; maxHumpSpan: number }): TPeakCandidate[] {
  const { signal, separation, maxHumpSpan } = options;
  const humps = findHumpPeaks(signal, maxHumpSpan);
  const candidates: TPeakCandidate[] = [];
  // queue holds positions in humps of decreasing heights within the window around the current hump.
  const queue = new Int32Array(humps.length);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (const hump of humps) {
    for (; next < humps.length && (humps[next] as TPeakCandidate).index <= hump.index + separation; next += 1) {
      const height = (humps[next] as TPeakCandidate).height;
      while (tail > head && (humps[queue[tail - 1] as number] as TPeakCandidate).height <= height) tail -= 1;
      queue[tail] = next;
      tail += 1;
    }
    while ((humps[queue[head] as number] as TPeakCandidate).index < hump.index - separation) head += 1;
    if (hump.height >= (humps[queue[head] as number] as TPeakCandidate).height) candidates.push(hump);
  }
  return candidates;
}
