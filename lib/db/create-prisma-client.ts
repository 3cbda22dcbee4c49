import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient } from "./generated/client.ts";

/**
 * The one Prisma client factory. Secret columns are omitted by default, so a password hash or a device
 * token hash only leaves the database when a query asks for it by name.
 */
export function createPrismaClient(adapter: SqlDriverAdapterFactory) {
  return new PrismaClient({
    adapter,
    omit: {
      user: { passwordHash: true },
      device: { tokenHash: true },
    },
  });
}

export type TDb = ReturnType<typeof createPrismaClient>;
// What an interactive transaction callback receives (Prisma denies these members inside one).
export type TTx = Omit<TDb, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
