// Server-only. Training the tier-2 ECG classifier on simulated strips: specs, generation on worker
// threads, batches, the training loop, scoring, and the flat weight vector federated rounds exchange.
export { createEcgDataset, type TEcgDataset } from "./ecg-dataset";
export { UNREADABLE_KINDS, ZEcgStripSpecSchema, ZGeneratedEcgStripSchema, type TEcgStripSpec, type TUnreadableKind } from "./ecg-strip-spec";
export { ECG_WEIGHT_LAYER_NAMES } from "./ecg-weight-layout";
export { formatEcgScore } from "./format-ecg-score";
export { generateEcgDataset, type TDatasetProgress } from "./generate-ecg-dataset";
export { getCosineLearningRate } from "./get-cosine-learning-rate";
export { getEcgWeightVector } from "./get-ecg-weight-vector";
export { makeEcgBatch } from "./make-ecg-batch";
export { makeStripSpecs, type TMakeStripSpecsOptions } from "./make-strip-specs";
export { makeUnreadableSamples } from "./make-unreadable-samples";
export { makeUnreadableSpecs } from "./make-unreadable-specs";
export { predictEcgClasses } from "./predict-ecg-classes";
export { renderEcgStrip } from "./render-ecg-strip";
export { scoreEcgClassification, type TEcgClassificationScore } from "./score-ecg-classification";
export { selectEcgRows } from "./select-ecg-rows";
export { setEcgWeightVector } from "./set-ecg-weight-vector";
export { shuffleIndexes } from "./shuffle-indexes";
export { sliceEcgDataset } from "./slice-ecg-dataset";
export { trainEcgEpochs, type TEcgEpochProgress, type TTrainEcgEpochsOptions } from "./train-ecg-epochs";
