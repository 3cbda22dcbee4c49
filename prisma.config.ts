import { defineConfig } from "prisma/config";

// Only the CLI reads this file (generate, and migrate where the native engine exists). The running
// product connects through driver adapters in lib/db and never reads a URL from here.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/pulseguard" },
});
