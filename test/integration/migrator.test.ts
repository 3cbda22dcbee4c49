import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { appendFile, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { applyMigrations, getLatestAppliedMigration, MigrationError, readMigrationFiles } from "@/lib/db/migrate";
import { openDatabase, type TDatabase } from "@/lib/db/open-database";
import { createScratchDatabase, type TScratchDatabase } from "../helpers/db-admin";
import { getTestDatabaseUrl, MIGRATIONS_DIR } from "../helpers/test-database";

type TMigrationRow = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number };

const openDatabases: TDatabase[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  await Promise.all(openDatabases.splice(0).map((database) => database.close()));
});

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function openMemoryDatabase(): Promise<TDatabase> {
  const database = await openDatabase({ dataDir: "memory" });
  openDatabases.push(database);
  return database;
}

/** A private copy of prisma/migrations that a test may edit and extend. */
async function copyMigrations(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "pulseguard-migrations-"));
  tempDirs.push(root);
  const dir = path.join(root, "migrations");
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(dir, name));
  await writeFile(path.join(dir, name, "migration.sql"), sql);
}

async function migrate(database: TDatabase, migrationsDir: string) {
  return database.withRawConnection((connection) => applyMigrations({ connection, migrationsDir }));
}

async function migrationError(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

async function migrationRows(database: TDatabase): Promise<TMigrationRow[]> {
  return database.withRawConnection((connection) =>
    connection.query<TMigrationRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    ),
  );
}

async function tableExists(database: TDatabase, table: string): Promise<boolean> {
  const rows = await database.withRawConnection((connection) =>
    connection.query<{ found: string | null }>(`SELECT to_regclass($1)::text AS found`, [`public."${table}"`]),
  );
  return rows[0]?.found != null;
}

async function publicTables(database: TDatabase): Promise<string[]> {
  const rows = await database.withRawConnection((connection) =>
    connection.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    ),
  );
  // Sorted here, not in SQL: the server's collation may order "_" differently from JavaScript.
  return rows.map((row) => row.table_name).sort();
}

const sha256OfFile = async (file: string) => createHash("sha256").update(await readFile(file)).digest("hex");

// The tables the committed migrations must create, read from the schema's models rather than from the
// migrator: a check that does not trust the code under test.
const INIT_TABLES = [...readFileSync(path.resolve(import.meta.dirname, "../../prisma/schema.prisma"), "utf8").matchAll(/^model (\w+) \{/gm)]
  .map((match) => match[1]!)
  .sort();

const BROKEN_SQL = `CREATE TABLE "HalfDone" ("id" INTEGER PRIMARY KEY);\nINSERT INTO "NoSuchTable" VALUES (1);\n`;

describe("readMigrationFiles", () => {
  it("lists migration folders in name order and skips loose files such as migration_lock.toml", async () => {
    const dir = await copyMigrations();
    await addMigration(dir, "20990102000000_second", "SELECT 1;");
    await addMigration(dir, "20990101000000_first", "SELECT 2;");
    const files = await readMigrationFiles(dir);
    const folders = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(files.map((file) => file.name)).toEqual([...folders].sort());
    expect(files.map((file) => file.name).slice(-2)).toEqual(["20990101000000_first", "20990102000000_second"]);
    expect(files.some((file) => file.name.includes("migration_lock"))).toBe(false);
  });
});

// Each PGlite start costs seconds (initdb in WASM), so each test below is one deployment history on one
// fresh database rather than one database per assertion.
describe("applyMigrations on PGlite", () => {
  it("applies each migration once, in name order, with sha256 checksums; a second run applies nothing", async () => {
    const dir = await copyMigrations();
    const initNames = (await readMigrationFiles(dir)).map((file) => file.name);
    const database = await openMemoryDatabase();

    const reported: string[] = [];
    const first = await database.withRawConnection((connection) =>
      applyMigrations({ connection, migrationsDir: dir, onApplied: (name) => reported.push(name) }),
    );
    expect(first).toEqual({ applied: initNames, latest: initNames.at(-1) });
    expect(reported).toEqual(initNames);
    expect(await publicTables(database)).toEqual([...INIT_TABLES, "_prisma_migrations"].sort());
    expect(await migrate(database, dir)).toEqual({ applied: [], latest: initNames.at(-1) });

    // A release adds two migrations. The one created second is named first: the ALTER only works if the
    // CREATE ran before it, so this fails unless they are applied in name order.
    await addMigration(dir, "20990102000000_widget_size", `ALTER TABLE "Widget" ADD COLUMN "sizeMm" INTEGER;\n`);
    await addMigration(dir, "20990101000000_widgets", `CREATE TABLE "Widget" ("id" INTEGER PRIMARY KEY);\n`);
    const second = await migrate(database, dir);
    expect(second).toEqual({ applied: ["20990101000000_widgets", "20990102000000_widget_size"], latest: "20990102000000_widget_size" });
    const columns = await database.withRawConnection((connection) =>
      connection.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'Widget'`),
    );
    expect(columns.map((column) => column.column_name).sort()).toEqual(["id", "sizeMm"]);
    expect((await migrate(database, dir)).applied).toEqual([]);

    const rows = await migrationRows(database);
    expect(rows.map((row) => row.migration_name)).toEqual([...initNames, "20990101000000_widgets", "20990102000000_widget_size"]);
    for (const row of rows) {
      expect(row.checksum).toBe(await sha256OfFile(path.join(dir, row.migration_name, "migration.sql")));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    expect(await database.withRawConnection((connection) => getLatestAppliedMigration(connection))).toBe("20990102000000_widget_size");
  });

  it("refuses a database it cannot trust: an applied migration edited since, or one this code does not know", async () => {
    const newerDir = await copyMigrations();
    const future = `20990101000000_future_${randomUUID().slice(0, 8)}`;
    await addMigration(newerDir, future, `CREATE TABLE "Widget" ("id" INTEGER PRIMARY KEY);\n`);
    const database = await openMemoryDatabase();
    const committed = (await migrate(database, newerDir)).applied.filter((name) => name !== future);
    const init = committed[0];
    expect(init).toBeDefined();

    // Older code (without the future migration) must not start against this database.
    const olderDir = await copyMigrations();
    const unknown = await migrationError(migrate(database, olderDir));
    expect(unknown.message).toContain(future);
    expect(unknown.message).toMatch(/does not know/);

    // An edited migration is refused before anything new is applied.
    await appendFile(path.join(newerDir, init!, "migration.sql"), "\n-- a later tweak\n");
    await addMigration(newerDir, "20990102000000_gadgets", `CREATE TABLE "Gadget" ("id" INTEGER PRIMARY KEY);\n`);
    const edited = await migrationError(migrate(database, newerDir));
    expect(edited.message).toContain(init);
    expect(edited.message).toMatch(/edited/);
    expect(await tableExists(database, "Gadget")).toBe(false);
    expect((await migrationRows(database)).map((row) => row.migration_name)).toEqual([...committed, future]);
  });

  it("rolls back a failing migration completely, does not record it, names it, and applies it once fixed", async () => {
    const dir = await copyMigrations();
    const broken = "20990101000000_broken";
    await addMigration(dir, broken, BROKEN_SQL);
    const database = await openMemoryDatabase();

    const error = await migrationError(migrate(database, dir));
    expect(error.message).toContain(broken);
    expect(error.message).toMatch(/rolled back/);
    expect(error.message).toContain("NoSuchTable");
    expect(await tableExists(database, "HalfDone")).toBe(false);
    const rows = await migrationRows(database);
    expect(rows.map((row) => row.migration_name)).not.toContain(broken);
    // Migrations before the broken one are committed on their own.
    expect(rows).toHaveLength((await readMigrationFiles(dir)).length - 1);
    expect(await tableExists(database, "User")).toBe(true);

    await writeFile(path.join(dir, broken, "migration.sql"), `CREATE TABLE "HalfDone" ("id" INTEGER PRIMARY KEY);\n`);
    expect((await migrate(database, dir)).applied).toEqual([broken]);
    expect(await tableExists(database, "HalfDone")).toBe(true);
  });
});

const databaseUrl = getTestDatabaseUrl();

describe.skipIf(!databaseUrl)("applyMigrations on PostgreSQL", () => {
  const scratchDatabases: TScratchDatabase[] = [];

  afterEach(async () => {
    await Promise.all(openDatabases.splice(0).map((database) => database.close()));
    await Promise.all(scratchDatabases.splice(0).map((scratch) => scratch.drop()));
  });

  async function openScratch(instances: number): Promise<TDatabase[]> {
    const scratch = await createScratchDatabase(databaseUrl!);
    scratchDatabases.push(scratch);
    const databases: TDatabase[] = [];
    for (let i = 0; i < instances; i++) {
      const database = await openDatabase({ databaseUrl: scratch.url, poolSize: 2 });
      openDatabases.push(database);
      databases.push(database);
    }
    return databases;
  }

  it("applies each migration exactly once when several instances start together", async () => {
    const dir = await copyMigrations();
    await addMigration(dir, "20990101000000_widgets", `CREATE TABLE "Widget" ("id" INTEGER PRIMARY KEY);\n`);
    await addMigration(dir, "20990102000000_widget_size", `ALTER TABLE "Widget" ADD COLUMN "sizeMm" INTEGER;\n`);
    const names = (await readMigrationFiles(dir)).map((file) => file.name);
    const instances = await openScratch(3);

    const results = await Promise.all(instances.map((database) => migrate(database, dir)));
    const appliedByAnyone = results.flatMap((result) => result.applied);
    expect([...appliedByAnyone].sort()).toEqual(names);
    for (const result of results) expect(result.latest).toBe(names.at(-1));

    const rows = await migrationRows(instances[0]!);
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows) {
      expect(row.checksum).toBe(await sha256OfFile(path.join(dir, row.migration_name, "migration.sql")));
      expect(row.finished_at).not.toBeNull();
    }
    expect(await publicTables(instances[0]!)).toEqual([...INIT_TABLES, "Widget", "_prisma_migrations"].sort());
    // The schema is usable through the Prisma client, not just present.
    const hospital = await instances[1]!.prisma.hospital.create({ data: { name: "Migrated" } });
    expect(await instances[2]!.prisma.hospital.findUnique({ where: { id: hospital.id } })).toMatchObject({ name: "Migrated" });
  });

  it("refuses an edited migration", async () => {
    const dir = await copyMigrations();
    const [database] = await openScratch(1);
    const [init] = (await migrate(database!, dir)).applied;
    await appendFile(path.join(dir, init!, "migration.sql"), "\n-- a later tweak\n");
    const error = await migrationError(migrate(database!, dir));
    expect(error.message).toContain(init);
    expect(error.message).toMatch(/edited/);
  });

  it("rolls back a failing migration, including its DDL, and releases the lock", async () => {
    const dir = await copyMigrations();
    const broken = "20990101000000_broken";
    await addMigration(dir, broken, BROKEN_SQL);
    const [database, other] = await openScratch(2);

    const error = await migrationError(migrate(database!, dir));
    expect(error.message).toContain(broken);
    expect(await tableExists(database!, "HalfDone")).toBe(false);
    expect((await migrationRows(database!)).map((row) => row.migration_name)).not.toContain(broken);

    // Another instance can take the advisory lock afterwards (it would hang if the lock leaked).
    await writeFile(path.join(dir, broken, "migration.sql"), `CREATE TABLE "HalfDone" ("id" INTEGER PRIMARY KEY);\n`);
    expect((await migrate(other!, dir)).applied).toEqual([broken]);
  });
});
