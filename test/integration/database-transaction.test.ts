// database.transaction: plain SQL straight on the driver (the ingest writer's group commits).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TDatabase } from "@/lib/db/open-database";
import { createTestDatabase, getTestDatabaseUrl } from "../helpers/test-database";

let database: TDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.close();
});

const countHospitals = async (name: string) =>
  Number((await database.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "Hospital" WHERE name = $1`, name))[0]!.n);

describe("database.transaction", () => {
  it("commits what fn wrote when it resolves, and rolls all of it back when it throws", async () => {
    const kept = `kept-${randomUUID()}`;
    const dropped = `dropped-${randomUUID()}`;
    const insert = (name: string) => `INSERT INTO "Hospital" (id, name) VALUES ('${randomUUID()}', '${name}')`;
    expect(await database.transaction(async (sql) => (await sql.query(`${insert(kept)} RETURNING name`))[0])).toEqual({ name: kept });
    await expect(
      database.transaction(async (sql) => {
        await sql.query(insert(dropped));
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await countHospitals(kept)).toBe(1);
    expect(await countHospitals(dropped)).toBe(0);
  });

  // PGlite has one connection and no other session to wait for: the timeout is PostgreSQL's.
  it.skipIf(!getTestDatabaseUrl())("cancels a statement past the timeout on PostgreSQL, and the pool keeps working", async () => {
    await expect(database.transaction((sql) => sql.query("SELECT pg_sleep(2)"), { statementTimeoutMs: 100 })).rejects.toMatchObject({ code: "57014" });
    expect(await database.transaction((sql) => sql.query<{ one: number }>("SELECT 1 AS one"))).toEqual([{ one: 1 }]);
  });
});
