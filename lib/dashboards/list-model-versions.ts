// Server-only. The models in use, for the hospital admin page: the committed manifests under
// public/models/*/manifest.json (what devices and browsers download) and the ModelVersion rows that
// federated rounds publish. Manifests are files read from disk, so they are parsed, not trusted.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { assertRole } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import type { TDb } from "../db/create-prisma-client";
import { ZModelCardSchema, type TModelCard } from "../models/model-card";

// The server runs from the project folder (npm start, the e2e helpers); Next bundles lib/ into .next, so
// a path relative to this module would not point at public/ there.
export const MODELS_DIR = path.resolve(process.cwd(), "public/models");

// The manifests of the three committed models differ in shape; these fields are what the page shows.
const ZManifestSchema = z.looseObject({
  name: z.string().optional(),
  model: z.string().optional(),
  version: z.union([z.string(), z.number()]),
  createdAt: z.string().optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  // A card that fails its schema is shown as missing rather than hiding the model.
  card: ZModelCardSchema.optional().catch(undefined),
});

export type TModelManifestView = {
  folder: string;
  name: string;
  version: string;
  createdAt: string | null;
  /** Flattened numeric and text metrics, e.g. "heldOut.rmseModelMgDl" -> 16.403. */
  metrics: { key: string; value: string | number }[];
  /** What it is for, what it learned from, its split and known limits; null when the manifest has none. */
  card: TModelCard | null;
  manifestJson: string;
  error: string | null;
};

export type TModelVersionRow = { id: string; name: string; version: number; status: string; sha256: string; sizeBytes: number; createdAt: string };

function flattenMetrics(value: unknown, prefix = ""): { key: string; value: string | number }[] {
  if (typeof value === "number" || typeof value === "string") return [{ key: prefix, value }];
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, inner]) => flattenMetrics(inner, prefix ? `${prefix}.${key}` : key));
  }
  return [];
}

export async function readModelManifests(modelsDir = MODELS_DIR): Promise<TModelManifestView[]> {
  const entries = await readdir(modelsDir, { withFileTypes: true }).catch(() => []);
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(
    folders.map(async (folder): Promise<TModelManifestView> => {
      const broken = (error: string): TModelManifestView => ({ folder, name: folder, version: "unknown", createdAt: null, metrics: [], card: null, manifestJson: "", error });
      let text: string;
      try {
        text = await readFile(path.join(modelsDir, folder, "manifest.json"), "utf8");
      } catch {
        return broken("manifest.json is missing");
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return broken("manifest.json is not valid JSON");
      }
      const parsed = ZManifestSchema.safeParse(json);
      if (!parsed.success) return broken("manifest.json lacks a version");
      const manifest = parsed.data;
      return {
        folder,
        name: manifest.name ?? manifest.model ?? folder,
        version: String(manifest.version),
        createdAt: manifest.createdAt ?? null,
        metrics: flattenMetrics(manifest.metrics ?? {}),
        card: manifest.card ?? null,
        manifestJson: JSON.stringify(json, null, 2),
        error: null,
      };
    }),
  );
}

export async function listModelVersions(options: { db: TDb; actor: TActor; modelsDir?: string }): Promise<{ manifests: TModelManifestView[]; versions: TModelVersionRow[] }> {
  assertRole(options.actor, ["HOSPITAL_ADMIN"]);
  const [manifests, rows] = await Promise.all([
    readModelManifests(options.modelsDir),
    options.db.modelVersion.findMany({
      orderBy: [{ name: "asc" }, { version: "desc" }],
      take: 100,
      select: { id: true, name: true, version: true, status: true, sha256: true, sizeBytes: true, createdAt: true },
    }),
  ]);
  return { manifests, versions: rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })) };
}
