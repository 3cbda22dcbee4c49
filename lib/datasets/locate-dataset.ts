// Server-only. Finds a dataset under the data directory as its publisher ships it: the extracted folder,
// or the zip archive, extracted once into a cache (<cacheDir>/<folder>) and reused while the archive is
// unchanged. Nothing is downloaded: the README says where a user gets each archive.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { unzipSync } from "fflate";
import { DatasetFormatError } from "./dataset-format-error";

export const DATASETS = {
  cinc2017: { folder: "training2017", archive: "training2017.zip", title: "PhysioNet/CinC Challenge 2017 training set" },
  mitdb: { folder: "mit-bih-arrhythmia-database-1.0.0", archive: "mit-bih-arrhythmia-database-1.0.0.zip", title: "MIT-BIH Arrhythmia Database" },
  cgm: { folder: "cgm-open", archive: "cgm-open.zip", title: "open CGM datasets (Glucose-ML extraction)" },
} as const;
export type TDatasetId = keyof typeof DATASETS;

const MARKER = ".pulseguard-extracted.json";

/**
 * The dataset's folder (holding e.g. REFERENCE.csv or RECORDS), or null when `dataDir` has neither the
 * folder nor the archive. `cacheDir` receives extracted archives (default .data/datasets).
 */
export function locateDataset(options: { dataDir: string; dataset: TDatasetId; cacheDir?: string }): string | null {
  const { folder, archive } = DATASETS[options.dataset];
  const extracted = path.join(options.dataDir, folder);
  if (existsSync(extracted) && statSync(extracted).isDirectory()) return extracted;
  const archivePath = path.join(options.dataDir, archive);
  if (!existsSync(archivePath)) return null;
  const cacheDir = path.resolve(options.cacheDir ?? path.join(".data", "datasets"));
  const target = path.join(cacheDir, folder);
  const { size, mtimeMs } = statSync(archivePath);
  const stamp = JSON.stringify({ archive: path.resolve(archivePath), size, mtimeMs });
  const markerPath = path.join(target, MARKER);
  if (existsSync(markerPath) && readFileSync(markerPath, "utf8") === stamp) return target;
  extractArchive({ archivePath, folder, cacheDir, target, stamp });
  return target;
}

/** Like locateDataset, but a clear error when the data directory lacks the dataset. */
export function locateDatasetOrThrow(options: { dataDir: string; dataset: TDatasetId; cacheDir?: string }): string {
  const found = locateDataset(options);
  if (found) return found;
  const { folder, archive, title } = DATASETS[options.dataset];
  throw new DatasetFormatError(options.dataDir, `holds neither ${archive} nor ${folder}/ (${title}; the README says where to download it)`);
}

function extractArchive(options: { archivePath: string; folder: string; cacheDir: string; target: string; stamp: string }) {
  const { archivePath, folder, cacheDir, target, stamp } = options;
  let entries: Record<string, Uint8Array>;
  try {
    // Only the dataset's own folder, and never nested archives (cgm-open ships a zip of what it also
    // ships extracted).
    entries = unzipSync(readFileSync(archivePath), { filter: (file) => file.name.startsWith(`${folder}/`) && !file.name.endsWith(".zip") });
  } catch (error) {
    throw new DatasetFormatError(archivePath, `is not a readable zip archive (${(error as Error).message})`);
  }
  // Extracted into a private folder first and renamed into place, so concurrent readers (test files run
  // in parallel) never see half an archive.
  const staging = path.join(cacheDir, `.${folder}.${process.pid}.${Date.now()}`);
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  let count = 0;
  for (const [name, bytes] of Object.entries(entries)) {
    if (name.endsWith("/")) continue;
    const relative = path.normalize(name.slice(folder.length + 1));
    if (relative.startsWith("..") || path.isAbsolute(relative)) throw new DatasetFormatError(archivePath, `entry "${name}" escapes its folder`);
    const destination = path.join(staging, relative);
    mkdirSync(path.dirname(destination), { recursive: true });
    writeFileSync(destination, bytes);
    count += 1;
  }
  if (count === 0) throw new DatasetFormatError(archivePath, `has no entries under ${folder}/`);
  writeFileSync(path.join(staging, MARKER), stamp);
  rmSync(target, { recursive: true, force: true });
  try {
    renameSync(staging, target);
  } catch (error) {
    // Another process finished first with the same archive: keep its copy.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(path.join(target, MARKER))) throw error;
  }
}

/** The data directory a command uses: its --data flag, else PULSEGUARD_DATA_DIR (lib/config). */
export function resolveDataDir(flag: string | undefined, configured: string | undefined): string | null {
  const value = flag ?? configured;
  return value ? path.resolve(value) : null;
}
