// Beat morphology and beat-to-beat features for the model's second input, from the detector's R peaks.
//
// Why: on real recordings an MLP over the RR features alone matched the CNN on the raw signal (CinC
// validation), and what separates AF from the other irregular rhythms is what a cardiologist checks: are
// there P waves, one before every QRS (AF: none, only fibrillatory baseline), are the QRS complexes alike
// (ectopy, noise: no), and is the irregularity random (AF) or patterned (sinus arrhythmia drifts, bigeminy
// alternates). Averaging beats aligned on their R peaks keeps P waves that are really there and cancels a
// random baseline, so the template's P wave and each beat's agreement with it measure exactly that.
const PRE_S = 0.3;
const POST_S = 0.4;
const P_WINDOW_S: readonly [number, number] = [-0.25, -0.09];
const QRS_WINDOW_S: readonly [number, number] = [-0.06, 0.06];
const BASELINE_WINDOW_S: readonly [number, number] = [-0.3, -0.26];
const WIDTH_WINDOW_S: readonly [number, number] = [-0.12, 0.12];
const WIDTH_LEVEL = 0.3;
const OUTLIER_CORRELATION = 0.8;
const IRREGULAR_DIFFERENCE_SHARE = 0.15;
const HISTOGRAM_BIN_S = 0.025;

export const BEAT_FEATURE_NAMES = [
  "pWaveAmplitudeShare",
  "pWaveConsistency",
  "qrsConsistency",
  "qrsOutlierShare",
  "qrsWidth",
  "rrLag1Autocorrelation",
  "rrIrregularShare",
  "rmssdToSdnn",
  "rrHistogramEntropy",
] as const;

function pearson(a: Float32Array, b: Float32Array): number {
  let meanA = 0;
  let meanB = 0;
  for (let index = 0; index < a.length; index += 1) {
    meanA += a[index] as number;
    meanB += b[index] as number;
  }
  meanA /= a.length;
  meanB /= b.length;
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let index = 0; index < a.length; index += 1) {
    const da = (a[index] as number) - meanA;
    const db = (b[index] as number) - meanB;
    covariance += da * db;
    varianceA += da * da;
    varianceB += db * db;
  }
  return varianceA > 0 && varianceB > 0 ? covariance / Math.sqrt(varianceA * varianceB) : 0;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** BEAT_FEATURE_NAMES in order; zeros where there are too few beats to say anything. */
export function extractBeatFeatures(options: { samples: Float32Array; sampleRateHz: number; beatIndexes: readonly number[]; rrIntervalsS: readonly number[] }): Float32Array {
  const { samples, sampleRateHz, beatIndexes, rrIntervalsS } = options;
  const features = new Float32Array(BEAT_FEATURE_NAMES.length);
  const pre = Math.round(PRE_S * sampleRateHz);
  const post = Math.round(POST_S * sampleRateHz);
  const length = pre + post;
  const at = (seconds: number) => pre + Math.round(seconds * sampleRateHz);
  const segments: Float32Array[] = [];
  for (const index of beatIndexes) {
    if (index - pre < 0 || index + post > samples.length) continue;
    const segment = samples.slice(index - pre, index + post);
    let baseline = 0;
    for (let sample = at(BASELINE_WINDOW_S[0]); sample < at(BASELINE_WINDOW_S[1]); sample += 1) baseline += segment[sample] as number;
    baseline /= at(BASELINE_WINDOW_S[1]) - at(BASELINE_WINDOW_S[0]);
    for (let sample = 0; sample < length; sample += 1) segment[sample] = (segment[sample] as number) - baseline;
    segments.push(segment);
  }
  if (segments.length >= 3) {
    const template = new Float32Array(length);
    for (const segment of segments) for (let sample = 0; sample < length; sample += 1) template[sample] = (template[sample] as number) + (segment[sample] as number) / segments.length;
    let qrsAmplitude = 0;
    for (let sample = at(QRS_WINDOW_S[0]); sample <= at(QRS_WINDOW_S[1]); sample += 1) qrsAmplitude = Math.max(qrsAmplitude, Math.abs(template[sample] as number));
    if (qrsAmplitude > 1e-6) {
      let pAmplitude = 0;
      for (let sample = at(P_WINDOW_S[0]); sample <= at(P_WINDOW_S[1]); sample += 1) pAmplitude = Math.max(pAmplitude, Math.abs(template[sample] as number));
      features[0] = clamp((4 * pAmplitude) / qrsAmplitude, 0, 4);
      const pTemplate = template.subarray(at(P_WINDOW_S[0]), at(P_WINDOW_S[1]) + 1);
      const qrsTemplate = template.subarray(at(QRS_WINDOW_S[0]), at(QRS_WINDOW_S[1]) + 1);
      let pAgreement = 0;
      let qrsAgreement = 0;
      let outliers = 0;
      for (const segment of segments) {
        pAgreement += pearson(segment.subarray(at(P_WINDOW_S[0]), at(P_WINDOW_S[1]) + 1), pTemplate);
        const qrsCorrelation = pearson(segment.subarray(at(QRS_WINDOW_S[0]), at(QRS_WINDOW_S[1]) + 1), qrsTemplate);
        qrsAgreement += qrsCorrelation;
        if (qrsCorrelation < OUTLIER_CORRELATION) outliers += 1;
      }
      features[1] = pAgreement / segments.length;
      features[2] = qrsAgreement / segments.length;
      features[3] = outliers / segments.length;
      let wide = 0;
      for (let sample = at(WIDTH_WINDOW_S[0]); sample <= at(WIDTH_WINDOW_S[1]); sample += 1) if (Math.abs(template[sample] as number) > WIDTH_LEVEL * qrsAmplitude) wide += 1;
      features[4] = clamp((10 * wide) / sampleRateHz, 0, 4);
    }
  }
  if (rrIntervalsS.length >= 4) {
    const count = rrIntervalsS.length;
    const mean = rrIntervalsS.reduce((sum, value) => sum + value, 0) / count;
    let variance = 0;
    let lagged = 0;
    let successive = 0;
    let irregular = 0;
    const sorted = [...rrIntervalsS].sort((a, b) => a - b);
    const median = sorted[Math.floor(count / 2)] as number;
    for (let index = 0; index < count; index += 1) {
      const deviation = (rrIntervalsS[index] as number) - mean;
      variance += deviation * deviation;
      if (index > 0) {
        const previous = rrIntervalsS[index - 1] as number;
        lagged += deviation * (previous - mean);
        const difference = (rrIntervalsS[index] as number) - previous;
        successive += difference * difference;
        if (Math.abs(difference) > IRREGULAR_DIFFERENCE_SHARE * median) irregular += 1;
      }
    }
    features[5] = variance > 0 ? clamp(lagged / variance, -1, 1) : 0;
    features[6] = irregular / (count - 1);
    const sdnn = Math.sqrt(variance / count);
    features[7] = sdnn > 1e-6 ? clamp(Math.sqrt(successive / (count - 1)) / sdnn, 0, 4) : 0;
    const bins = new Map<number, number>();
    for (const value of rrIntervalsS) bins.set(Math.floor(value / HISTOGRAM_BIN_S), (bins.get(Math.floor(value / HISTOGRAM_BIN_S)) ?? 0) + 1);
    let entropy = 0;
    for (const binCount of bins.values()) entropy -= (binCount / count) * Math.log(binCount / count);
    features[8] = entropy / Math.log(count);
  }
  return features;
}
