// Readers for real recordings (WFDB headers, formats 16 and 212, MATLAB v4, MIT annotations, CinC 2017
// reference labels, CGM CSVs) and the data directory they come from. Server-only.
export { DatasetFormatError, isDatasetFormatError } from "./dataset-format-error";
export { parseWfdbHeader, type TWfdbHeader, type TWfdbSignalSpec } from "./parse-wfdb-header";
export { decodeWfdbSamples, readMatV4, wfdbChecksum } from "./decode-wfdb-signals";
export { readWfdbRecord, type TWfdbRecord } from "./read-wfdb-record";
export { parseWfdbAnnotations, toRhythmSpans, QRS_SYMBOLS, VENTRICULAR_ECTOPIC_SYMBOLS, type TWfdbAnnotation, type TRhythmSpan } from "./parse-wfdb-annotations";
export { DATASETS, locateDataset, locateDatasetOrThrow, resolveDataDir, type TDatasetId } from "./locate-dataset";
export { readCincReference, CINC_LABELS, type TCincLabel, type TCincRecord } from "./read-cinc-reference";
export { listMitdbRecords, readMitdbRecord, MITDB_SAME_PATIENT, type TMitdbRecord } from "./read-mitdb-record";
export { listCgmSubjects, readCgmCsv, type TCgmReading, type TCgmSeries, type TCgmSubject } from "./read-cgm-csv";
