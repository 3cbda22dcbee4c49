// Server-only. The files of a model version in the layout its loader verifies (model.json, weights.bin,
// manifest.json): the committed artifact as it is, a version published by a federated round written
// under the data folder from its registry row (same topology, new weights, its own manifest). The
// loader checks the sha256 in the manifest again before anything is served.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TDb } from "../db/create-prisma-client";
import { AppError } from "../errors/app-error";

export type TMaterializedModel = { id: string; version: number; sha256: string; modelDir: string };

export async function materializeActiveModel(options: { db: TDb; name: string; committedDir: string; dataDir: string }): Promise<TMaterializedModel | null> {
  const active = await options.db.modelVersion.findFirst({
    where: { name: options.name, status: "ACTIVE" },
    orderBy: { version: "desc" },
    select: { id: true, version: true, sha256: true, weights: true, manifest: true },
  });
  if (!active?.weights) return null;
  const committedManifest = JSON.parse(await readFile(path.join(options.committedDir, "manifest.json"), "utf8")) as { sha256?: string; modelJsonSha256?: string };
  if (committedManifest.sha256 === active.sha256) return { id: active.id, version: active.version, sha256: active.sha256, modelDir: options.committedDir };

  const modelJson = await readFile(path.join(options.committedDir, "model.json"));
  const manifest = active.manifest as { modelJsonSha256?: string; sha256?: string };
  // A published version keeps its base's topology; a row that names another one is not served.
  if (manifest.modelJsonSha256 !== createHash("sha256").update(modelJson).digest("hex")) {
    throw new AppError("INTERNAL", { message: `${options.name} v${active.version} was built for another model.json than the committed one` });
  }
  const modelDir = path.join(options.dataDir, "models", options.name, `v${active.version}-${active.sha256.slice(0, 12)}`);
  const existing = await readFile(path.join(modelDir, "weights.bin")).catch(() => null);
  if (existing && createHash("sha256").update(existing).digest("hex") === active.sha256) return { id: active.id, version: active.version, sha256: active.sha256, modelDir };
  await rm(modelDir, { recursive: true, force: true });
  const staging = `${modelDir}.tmp-${process.pid}`;
  await mkdir(staging, { recursive: true });
  await Promise.all([
    writeFile(path.join(staging, "model.json"), modelJson),
    writeFile(path.join(staging, "weights.bin"), active.weights),
    writeFile(path.join(staging, "manifest.json"), `${JSON.stringify(active.manifest, null, 2)}\n`),
  ]);
  // Written aside and renamed, so a loader never sees half a version. Another instance sharing the
  // folder may have renamed an identical copy in first.
  await rename(staging, modelDir).catch(() => rm(staging, { recursive: true, force: true }));
  return { id: active.id, version: active.version, sha256: active.sha256, modelDir };
}
