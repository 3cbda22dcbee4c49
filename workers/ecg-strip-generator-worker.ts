// Worker entry of generateEcgDataset (lib/detect/ecg/train): specs in (workerData), one preprocessed
// strip out per message, buffers transferred rather than copied. No tfjs here: it would cost seconds of
// start-up per worker and the strips do not need it.
import { parentPort, workerData } from "node:worker_threads";
import { z } from "zod";
import { ZEcgStripSpecSchema } from "../lib/detect/ecg/train/ecg-strip-spec";
import { renderEcgStrip } from "../lib/detect/ecg/train/render-ecg-strip";

const specs = z.array(ZEcgStripSpecSchema).parse(workerData);
for (const spec of specs) {
  const { signal, rrFeatures } = renderEcgStrip(spec);
  parentPort!.postMessage({ index: spec.index, signal, rrFeatures }, [signal.buffer as ArrayBuffer, rrFeatures.buffer as ArrayBuffer]);
}
