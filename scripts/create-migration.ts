// Creates a Prisma-layout migration without the native schema engine: the wasm build of the same
// engine diffs an in-memory PGlite (holding every existing migration) against prisma/schema.prisma.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { DiffParams, SchemaFilter } from "@prisma/schema-engine-wasm";
import { PrismaPGlite } from "pglite-prisma-adapter";

const root = path.resolve(import.meta.dirname, "..");
const schemaPath = path.join(root, "prisma", "schema.prisma");
const migrationsDir = path.join(root, "prisma", "migrations");
const noFilter: SchemaFilter = { externalTables: [], externalEnums: [] };

function parseName(argv: string[]): string {
  const name = argv[0];
  if (argv.length !== 1 || name === undefined || !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(name)) {
    throw new Error("usage: npm run db:migration -- <name>   (name in lowercase snake_case, e.g. add_alert_notes)");
  }
  return name;
}

// The package imports its .wasm the bundler way (`import * as wasm from "./x.wasm"`), which Node
// cannot load, so we do by hand what a bundler would: instantiate against the JS glue, then wire it up.
async function loadSchemaEngine(): Promise<typeof glue.SchemaEngine> {
  const require = createRequire(import.meta.url);
  const wasmPath = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm")), "schema_engine_bg.wasm");
  const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue.SchemaEngine;
}

async function existingMigrations(): Promise<{ name: string; sql: string }[]> {
  if (!existsSync(migrationsDir)) return [];
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    dirs.map(async (name) => ({ name, sql: await readFile(path.join(migrationsDir, name, "migration.sql"), "utf8") })),
  );
}

function utcStamp(d = new Date()): string {
  return d.toISOString().replace(/\D/g, "").slice(0, 14);
}

// Only for the summary line: Prisma's generated DDL has no procedural bodies, so counting `;`
// terminators outside comment lines matches its statements (a `;` inside a string default would not).
function countStatements(sql: string): number {
  return sql
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n")
    .split(";")
    .filter((chunk) => chunk.trim() !== "").length;
}

async function main(): Promise<void> {
  const name = parseName(process.argv.slice(2));
  const schema = await readFile(schemaPath, "utf8");
  const schemaFile = { path: schemaPath, content: schema };
  const SchemaEngine = await loadSchemaEngine();

  const db = new PGlite();
  try {
    // Applied here, awaited, instead of via the engine (applyMigrations hangs on PGlite, and the
    // adapter's executeScript does not await, so a broken migration surfaces as an unhandled rejection).
    for (const m of await existingMigrations()) {
      try {
        await db.exec(m.sql);
      } catch (err) {
        throw new Error(`existing migration ${m.name} failed to apply: ${(err as Error).message}`);
      }
    }

    const logs: string[] = [];
    const engine = await SchemaEngine.new(
      { datamodels: [[schemaFile.path, schemaFile.content]] },
      (line: string) => logs.push(line),
      bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(db)),
    );
    // "schemaDatasource" makes the wasm engine introspect the database behind the adapter, i.e. the
    // PGlite we just migrated; the "url" tag is rejected by the wasm build.
    const params: DiffParams = {
      from: { tag: "schemaDatasource", files: [schemaFile], configDir: root },
      to: { tag: "schemaDatamodel", files: [schemaFile] },
      script: true,
      // exitCode 2 means "non-empty diff", which beats recognising the engine's empty-script wording.
      exitCode: true,
      filters: noFilter,
    };
    const result = await engine.diff(params).catch((err: unknown) => {
      if (process.env.DEBUG) console.error(logs.join("\n"));
      throw err;
    });
    engine.free();

    if (result.exitCode !== 2) {
      console.log("No schema changes; no migration created.");
      return;
    }
    const sql = (result.stdout ?? "").trim() + "\n";
    const dir = path.join(migrationsDir, `${utcStamp()}_${name}`);
    await mkdir(migrationsDir, { recursive: true });
    await mkdir(dir); // not recursive: never write into a folder that already exists
    const file = path.join(dir, "migration.sql");
    await writeFile(file, `-- ${name}\n\n${sql}`);
    const lock = path.join(migrationsDir, "migration_lock.toml");
    if (!existsSync(lock)) {
      await writeFile(
        lock,
        '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
      );
    }
    console.log(`Created ${path.relative(root, file)} (${countStatements(sql)} statements)`);
  } finally {
    await db.close();
  }
}

// Explicit exits so nothing the wasm engine or PGlite may have scheduled can keep the process alive.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    // The engine's message already points at the schema line; its wasm stack trace is noise.
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
