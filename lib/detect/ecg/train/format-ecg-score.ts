import { ECG_CLASSES } from "../ecg-classes";
import type { TEcgClassificationScore } from "./score-ecg-classification";

const SHORT_NAMES = ["sinus", "afib", "other", "ectopy", "noise"];

/** The per-class table and the confusion matrix as printable lines (two-space indent). */
export function formatEcgScore(options: { score: TEcgClassificationScore; setName: string }): string[] {
  const { score } = options;
  const lines: string[] = [];
  const rows = [["class", "precision", "recall", "F1", "support"]];
  ECG_CLASSES.forEach((rhythm) => {
    const metrics = score.perClass[rhythm];
    rows.push([rhythm, metrics.precision.toFixed(3), metrics.recall.toFixed(3), metrics.f1.toFixed(3), String(metrics.support)]);
  });
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) lines.push(`  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ")}`);
  lines.push(`  macro F1 ${score.macroF1.toFixed(4)}, accuracy ${score.accuracy.toFixed(4)} on ${score.strips} ${options.setName} strips`);
  lines.push("");
  lines.push(`  confusion (rows: true, columns: predicted)`);
  lines.push(`  ${"".padEnd(8)}${SHORT_NAMES.map((name) => name.padStart(8)).join("")}`);
  score.confusionMatrix.forEach((line, row) => lines.push(`  ${SHORT_NAMES[row]!.padEnd(8)}${line.map((value) => String(value).padStart(8)).join("")}`));
  return lines;
}
