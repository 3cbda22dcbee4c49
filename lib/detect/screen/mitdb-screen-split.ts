// Server-only use (scripts). The fixed split of MIT-BIH Arrhythmia Database patients between tuning the
// watch screen (scripts/train-screen.ts mixes their heart rate into training) and testing it
// (scripts/eval-screen.ts reports on the others by default). By patient, not record: 201 and 202 are
// one patient and always land together, since the caller passes TMitdbRecord.patient.
export const MITDB_SCREEN_SPLIT_SEED = "mitdb-screen-split-v1";

/** True for the held-out half: an FNV-1a hash of the seed and the patient id, odd. */
export function isMitdbScreenTestPatient(patient: string): boolean {
  let hash = 2166136261;
  for (const character of `${MITDB_SCREEN_SPLIT_SEED}:${patient}`) hash = Math.imul(hash ^ character.charCodeAt(0), 16777619) >>> 0;
  return hash % 2 === 1;
}
