// Server-only. A hospital admin puts a model version in service (a federated round publishes CANDIDATE
// versions; a clinician-facing model changes only when a person decides so). The previous active version
// of that model is retired; the ECG pools of every instance pick the new one up (lib/fl/rounds/watch-active-model.ts).
import { assertRole } from "../../auth/access-policy";
import type { TUserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import type { TDb } from "../../db/create-prisma-client";
import { AppError } from "../../errors/app-error";
import { isUuid } from "./round-state";

export async function activateModelVersion(options: { db: TDb; actor: TUserActor; versionId: string; now?: Date }) {
  const { db, actor } = options;
  assertRole(actor, ["HOSPITAL_ADMIN"]);
  const now = options.now ?? new Date();
  if (!isUuid(options.versionId)) throw new AppError("NOT_FOUND", { message: "No such model version" });
  return db.$transaction(async (tx) => {
    const version = await tx.modelVersion.findUnique({ where: { id: options.versionId }, select: { id: true, name: true, version: true, status: true, weights: true } });
    if (!version) throw new AppError("NOT_FOUND", { message: "No such model version" });
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`fl-model:${version.name}`}))`;
    if (!version.weights) throw new AppError("CONFLICT", { message: "this version has no weights to serve" });
    if (version.status !== "ACTIVE") {
      await tx.modelVersion.updateMany({ where: { name: version.name, status: "ACTIVE" }, data: { status: "RETIRED" } });
      await tx.modelVersion.update({ where: { id: version.id }, data: { status: "ACTIVE", activatedAt: now } });
      await recordAudit({ db: tx, entries: [{ actor, action: "model_version.activate", targetType: "model_version", targetId: version.id, hospitalId: actor.hospitalId, detail: { name: version.name, version: version.version } }] });
    }
    return { id: version.id, name: version.name, version: version.version, status: "ACTIVE" };
  });
}
