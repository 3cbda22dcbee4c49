// The embedded database's folder is private to the user running PulseGuard: folders 0700, files 0600
// (issue 18, finding 3: PGlite created its files 0666, the WAL with password hashes and readings
// included). A folder from before the check is repaired when the database opens, and said so.
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db/open-database";
import type { TModeRepairReport } from "@/lib/db/restrict-data-dir-modes";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function createDataDir() {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "pulseguard-modes-")), "data");
  dirs.push(path.dirname(dir));
  return dir;
}

/** Every path under dir (dir included) whose mode lets anyone but the owner in, with its mode. */
function findExposed(dir: string): string[] {
  const exposed: string[] = [];
  const visit = (target: string) => {
    const stats = lstatSync(target);
    const mode = stats.mode & 0o777;
    if (stats.isDirectory() ? mode !== 0o700 : (mode & 0o077) !== 0) exposed.push(`${path.relative(dir, target) || "."} ${mode.toString(8)}`);
    if (stats.isDirectory()) for (const name of readdirSync(target)) visit(path.join(target, name));
  };
  visit(dir);
  return exposed;
}

function countEntries(dir: string): number {
  return 1 + readdirSync(dir, { withFileTypes: true, recursive: true }).length;
}

async function writeSomething(dataDir: string, table: string, options: { onModesRepaired?: (report: TModeRepairReport) => void } = {}) {
  const database = await openDatabase({ dataDir, ...options });
  await database.withRawConnection(async (connection) => {
    await connection.exec(`CREATE TABLE ${table} (id int, secret text); INSERT INTO ${table} SELECT g, md5(g::text) FROM generate_series(1, 5000) g; CHECKPOINT;`);
  });
  return database;
}

describe("embedded database folder modes", () => {
  it("creates the folder 0700 and every file without group or other access, even under umask 000", async () => {
    const dataDir = createDataDir();
    // The reviewer's umask: nothing masked. The database must not rely on the caller's umask.
    const previous = process.umask(0);
    try {
      const database = await writeSomething(dataDir, "readings");
      // While open (WAL and new relation files included), and after a clean close.
      expect(findExposed(dataDir)).toEqual([]);
      await database.close();
      expect(findExposed(dataDir)).toEqual([]);
      const reopened = await writeSomething(dataDir, "more_readings");
      expect(findExposed(dataDir)).toEqual([]);
      await reopened.close();
    } finally {
      process.umask(previous);
    }
    expect(countEntries(dataDir)).toBeGreaterThan(100);
    expect(findExposed(dataDir)).toEqual([]);
  });

  it("repairs a folder made before the check when it opens, says so, and keeps its data", async () => {
    const dataDir = createDataDir();
    await (await writeSomething(dataDir, "readings")).close();
    // An install from before: everything world-readable and writable.
    for (const entry of readdirSync(dataDir, { withFileTypes: true, recursive: true })) {
      chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o777 : 0o666);
    }
    chmodSync(dataDir, 0o755);
    expect(findExposed(dataDir).length).toBeGreaterThan(100);

    const reports: TModeRepairReport[] = [];
    const database = await openDatabase({ dataDir, onModesRepaired: (report) => reports.push(report) });
    expect(reports).toHaveLength(1);
    expect(reports[0]!.repaired.length).toBeGreaterThan(100);
    expect(reports[0]!.repaired).toContain(".");
    expect(findExposed(dataDir)).toEqual([]);
    const rows = await database.withRawConnection((connection) => connection.query<{ count: number }>("SELECT count(*)::int AS count FROM readings"));
    expect(rows[0]!.count).toBe(5000);
    await database.close();

    // A private folder opens without a report.
    const again = await openDatabase({ dataDir, onModesRepaired: (report) => reports.push(report) });
    await again.close();
    expect(reports).toHaveLength(1);
  });
});
