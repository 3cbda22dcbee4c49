// Evaluates the committed 30-minute forecast against last value and Nightscout's AR2 on virtual patients
// that training never saw:
//   npm run eval:glucose [-- --patients 12 --days 10]
// Ends with RESULT {"eval":"glucose",...}; the target is an RMSE at least 15 % below AR2's.
import os from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createForecastExamples } from "../lib/glucose-forecast/create-forecast-examples";
import { evaluateForecasts } from "../lib/glucose-forecast/evaluate-forecasts";
import { loadForecastWeights } from "../lib/glucose-forecast/model-files";
import { HELD_OUT_DATA } from "../lib/glucose-forecast/train-forecast-model";

const TARGET_IMPROVEMENT_OVER_AR2 = 0.15;

const { values } = parseArgs({ options: { patients: { type: "string" }, days: { type: "string" } } });
const options = z
  .object({ patients: z.coerce.number().int().min(1).max(200).default(HELD_OUT_DATA.patients), days: z.coerce.number().min(1).max(60).default(HELD_OUT_DATA.days) })
  .parse(values);

const { weights, manifest } = loadForecastWeights();
console.log(`model ${manifest.model} ${manifest.version} (weights sha256 ${manifest.files.weights.sha256.slice(0, 12)}...)`);
console.log(`machine: ${os.cpus()[0]?.model.trim() ?? "unknown"} x${os.cpus().length}, node ${process.version}`);
console.log(`simulating ${options.patients} held-out patients (seeds ${HELD_OUT_DATA.seedPrefix}-*) x ${options.days} days ...`);
const examples = createForecastExamples({ seedPrefix: HELD_OUT_DATA.seedPrefix, patients: options.patients, days: options.days });
const metrics = evaluateForecasts({ weights, examples });
const round = (value: number) => Number(value.toFixed(2));

console.log(`  forecasts            ${metrics.examples}`);
console.log(`  RMSE model           ${round(metrics.rmseModelMgDl)} mg/dL`);
console.log(`  RMSE last value      ${round(metrics.rmseLastValueMgDl)} mg/dL`);
console.log(`  RMSE AR2 (Nightscout) ${round(metrics.rmseAr2MgDl)} mg/dL`);
console.log(`  model vs AR2         ${(100 * metrics.improvementOverAr2).toFixed(1)} % lower RMSE (target >= ${100 * TARGET_IMPROVEMENT_OVER_AR2} %): ${metrics.improvementOverAr2 >= TARGET_IMPROVEMENT_OVER_AR2 ? "PASS" : "MISS"}`);
console.log(
  `RESULT ${JSON.stringify({
    eval: "glucose",
    rmseModelMgDl: round(metrics.rmseModelMgDl),
    rmseLastValueMgDl: round(metrics.rmseLastValueMgDl),
    rmseAr2MgDl: round(metrics.rmseAr2MgDl),
    improvementOverAr2: Number(metrics.improvementOverAr2.toFixed(3)),
    examples: metrics.examples,
    heldOutPatients: options.patients,
  })}`,
);
