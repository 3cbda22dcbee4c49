// The rate definitions of tachycardia and bradycardia, shared by the watch screen's gate, the ECG model's
// rate-defined labels and the real strips the simulator sends for those rhythms.

/** Resting tachycardia is a rate above 100 bpm (conventional adult definition; 2015 ACC/AHA/HRS SVT guideline). */
export const TACHYCARDIA_ABOVE_BPM = 100;
/** Bradycardia is a rate below 50 bpm (2018 ACC/AHA/HRS bradycardia guideline, for awake adults), rather than the older 60. */
export const BRADYCARDIA_BELOW_BPM = 50;
