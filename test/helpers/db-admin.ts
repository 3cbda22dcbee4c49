import { randomUUID } from "node:crypto";
import pg from "pg";

export type TScratchDatabase = { name: string; url: string; drop(): Promise<void> };

async function withAdminClient<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty database on the same server as `serverUrl`, for tests that need a schema nobody else
 * touches (the migrator). The name is random, so parallel test files never collide.
 */
export async function createScratchDatabase(serverUrl: string, prefix = "mig"): Promise<TScratchDatabase> {
  const name = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      // FORCE ends connections a failed test may have left open (PostgreSQL 13+).
      await withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
