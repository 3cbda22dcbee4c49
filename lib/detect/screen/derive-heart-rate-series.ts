// A 1 Hz heart-rate stream, as a watch reports it, from beat times (reference annotations of an ECG
// recording, or detected beats). Used to run real recordings through the watch screen, which has only
// ever seen the simulator's 1 Hz stream.
//
// Each second a wrist device reports the rate averaged over its last few seconds of beats (optical and
// ECG watches alike smooth over ~5 s so that one odd interval does not jump the display): here, at the
// end of second k, 60 / (mean RR) of the beats in the last `averagingWindowS`, i.e. (beats - 1)
// intervals over the time from the first to the last of them. Fewer than two beats in the window (a
// pause, asystole, a gap in the recording) is "no reading", 0, as the device API stores it. So is a
// rate outside what the device API accepts (25-250 bpm).

/** The device API's accepted range for a reading (lib/ingest: one byte, 25-250 bpm; 0 = no reading). */
export const MIN_READING_BPM = 25;
export const MAX_READING_BPM = 250;
export const DEFAULT_AVERAGING_WINDOW_S = 5;

export function deriveHeartRateSeries(options: {
  /** Beat times in seconds from the start of the recording, ascending. */
  beatTimesS: readonly number[];
  durationS: number;
  averagingWindowS?: number;
}): Uint8Array {
  const { beatTimesS } = options;
  const windowS = options.averagingWindowS ?? DEFAULT_AVERAGING_WINDOW_S;
  const seconds = Math.floor(options.durationS);
  const bpm = new Uint8Array(seconds);
  let first = 0;
  let end = 0;
  for (let second = 0; second < seconds; second += 1) {
    const atS = second + 1;
    while (end < beatTimesS.length && (beatTimesS[end] as number) <= atS) end += 1;
    while (first < end && (beatTimesS[first] as number) <= atS - windowS) first += 1;
    const beats = end - first;
    if (beats < 2) continue;
    const spanS = (beatTimesS[end - 1] as number) - (beatTimesS[first] as number);
    const rate = Math.round((60 * (beats - 1)) / spanS);
    if (rate >= MIN_READING_BPM && rate <= MAX_READING_BPM) bpm[second] = rate;
  }
  return bpm;
}
