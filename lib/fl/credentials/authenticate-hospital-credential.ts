// Server-only. A hospital's participant process presents its federated-training credential as a bearer
// token; only the token's SHA-256 is stored. Expired and revoked credentials are refused with the same
// answer as unknown ones, so a probe learns nothing about which tokens ever existed.
import { readBearerToken } from "../../auth/authenticate-device";
import { hashToken } from "../../auth/tokens";
import type { TDb } from "../../db/create-prisma-client";
import { AppError } from "../../errors/app-error";

/** A recognisable prefix lets secret scanners spot a leaked credential. */
export const HOSPITAL_CREDENTIAL_PREFIX = "pgh_";

export type THospitalParticipant = { kind: "hospital-participant"; credentialId: string; hospitalId: string };

export async function authenticateHospitalCredential(options: { db: TDb; authorization: string | null; now?: Date }): Promise<THospitalParticipant> {
  const token = readBearerToken(options.authorization);
  const refuse = () => new AppError("UNAUTHENTICATED", { message: "a valid hospital participant credential is required (Authorization: Bearer pgh_...)" });
  if (!token || !token.startsWith(HOSPITAL_CREDENTIAL_PREFIX) || token.length > 200) throw refuse();
  const credential = await options.db.hospitalCredential.findUnique({ where: { tokenHash: hashToken(token) }, select: { id: true, hospitalId: true, expiresAt: true, revokedAt: true, lastUsedAt: true } });
  const now = options.now ?? new Date();
  if (!credential || credential.revokedAt || credential.expiresAt <= now) throw refuse();
  // lastUsedAt is for the admin page ("last seen"); a minute's resolution spares a write per poll.
  if (!credential.lastUsedAt || now.getTime() - credential.lastUsedAt.getTime() > 60_000) {
    await options.db.hospitalCredential.update({ where: { id: credential.id }, data: { lastUsedAt: now } });
  }
  return { kind: "hospital-participant", credentialId: credential.id, hospitalId: credential.hospitalId };
}
