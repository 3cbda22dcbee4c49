// Server-only. The committed artifact (public/models/<name>) is a version of its model in the registry,
// with its weights, so a federated round has global weights to start from. Idempotent. When a new
// artifact is committed (a retrained model arrives with an upgrade), it becomes the next version: active
// if the active version is itself a committed artifact, a candidate if an admin put a federated version
// in service (that choice is not overridden silently).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { TDb } from "../../db/create-prisma-client";
import { AppError } from "../../errors/app-error";

const isFederated = (manifest: unknown) => Boolean((manifest as { metrics?: { federated?: unknown } } | null)?.metrics?.federated);

export async function registerCommittedModel(options: { db: TDb; modelDir: string; name: string; now?: Date }): Promise<void> {
  const { db, name } = options;
  const [manifestText, weights] = await Promise.all([readFile(path.join(options.modelDir, "manifest.json"), "utf8"), readFile(path.join(options.modelDir, "weights.bin"))]);
  const manifest = JSON.parse(manifestText) as { sha256?: string };
  const sha256 = createHash("sha256").update(weights).digest("hex");
  if (manifest.sha256 !== sha256) throw new AppError("INTERNAL", { message: `${name}: weights.bin does not match its manifest's sha256` });
  const now = options.now ?? new Date();
  await db.$transaction(async (tx) => {
    // Instances starting together: one registers, the others find it registered.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`fl-model:${name}`}))`;
    if (await tx.modelVersion.findFirst({ where: { name, sha256 }, select: { id: true } })) return;
    const latest = await tx.modelVersion.findFirst({ where: { name }, orderBy: { version: "desc" }, select: { version: true } });
    const active = await tx.modelVersion.findFirst({ where: { name, status: "ACTIVE" }, select: { id: true, manifest: true } });
    const makeActive = !active || !isFederated(active.manifest);
    if (makeActive && active) await tx.modelVersion.update({ where: { id: active.id }, data: { status: "RETIRED" } });
    await tx.modelVersion.create({
      data: {
        name,
        version: (latest?.version ?? 0) + 1,
        status: makeActive ? "ACTIVE" : "CANDIDATE",
        sha256,
        sizeBytes: weights.byteLength,
        manifest: JSON.parse(manifestText),
        weights: new Uint8Array(weights),
        activatedAt: makeActive ? now : null,
      },
    });
  });
}
