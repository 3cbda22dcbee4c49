export { createPrismaClient, type TDb, type TTx } from "./create-prisma-client";
export { openDatabase, type TDatabase, type TOpenDatabaseOptions } from "./open-database";
export { applyMigrations, getLatestAppliedMigration, MigrationError, readMigrationFiles, type TMigrationConnection } from "./migrate";
export { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, restrictDataDirModes, type TModeRepairReport } from "./restrict-data-dir-modes";
