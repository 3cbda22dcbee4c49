// Server-only. The committed artifact (public/models/<name>) is version 1 of its model in the registry,
// with its weights, so the first federated round has global weights to start from. Idempotent.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { TDb } from "../../db/create-prisma-client";
import { AppError } from "../../errors/app-error";

export async function registerCommittedModel(options: { db: TDb; modelDir: string; name: string }): Promise<void> {
  const { db, name } = options;
  const existing = await db.modelVersion.findFirst({ where: { name }, select: { id: true } });
  if (existing) return;
  const [manifestText, weights] = await Promise.all([readFile(path.join(options.modelDir, "manifest.json"), "utf8"), readFile(path.join(options.modelDir, "weights.bin"))]);
  const manifest = JSON.parse(manifestText) as { sha256?: string };
  const sha256 = createHash("sha256").update(weights).digest("hex");
  if (manifest.sha256 !== sha256) throw new AppError("INTERNAL", { message: `${name}: weights.bin does not match its manifest's sha256` });
  await db.modelVersion
    .create({
      data: { name, version: 1, status: "ACTIVE", sha256, sizeBytes: weights.byteLength, manifest: JSON.parse(manifestText), weights: new Uint8Array(weights), activatedAt: new Date() },
    })
    // Two instances starting together: the other one registered it first.
    .catch(async (error: unknown) => {
      if (!(await db.modelVersion.findFirst({ where: { name }, select: { id: true } }))) throw error;
    });
}
