// Server-only. The embedded database's folder holds password hashes, session and device token hashes
// and every reading (its WAL included): it must be readable by the user that runs PulseGuard and by
// nobody else, as PostgreSQL itself insists for its data directory (0700). PGlite extracts its initial
// cluster with mode 0666 whatever the umask, so modes are restricted after it opens, and checked again
// at every start, which repairs an install made before this check.
import { chmodSync, lstatSync, readdirSync } from "node:fs";
import path from "node:path";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export type TModeRepairReport = { checked: number; repaired: string[] };

/**
 * Makes `dir` and everything under it private to this user: directories 0700, files without any group
 * or other bits (0600 for the database's files). Symbolic links are neither followed nor changed. Throws
 * with a clear message when a mode cannot be changed (a file owned by another user): the caller refuses
 * to start rather than serve from a folder others can read.
 */
export function restrictDataDirModes(dir: string): TModeRepairReport {
  const report: TModeRepairReport = { checked: 0, repaired: [] };
  const visit = (target: string) => {
    const stats = lstatSync(target);
    if (stats.isSymbolicLink()) return;
    report.checked += 1;
    const mode = stats.mode & 0o777;
    const wanted = stats.isDirectory() ? PRIVATE_DIR_MODE : mode & 0o700;
    if (mode !== wanted) {
      try {
        chmodSync(target, wanted);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "error";
        throw new Error(
          `${target} is readable by other users (mode ${mode.toString(8).padStart(4, "0")}) and cannot be made private (${code}). ` +
            `The data folder holds password hashes and health readings: make it owned by this user (chown -R) or set DATA_DIR to a folder this user owns.`,
        );
      }
      report.repaired.push(path.relative(dir, target) || ".");
    }
    if (stats.isDirectory()) for (const name of readdirSync(target)) visit(path.join(target, name));
  };
  visit(dir);
  return report;
}
