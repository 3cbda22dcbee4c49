// What a hospital admin sees of a participant credential: never the token, never its hash. No server
// imports here: the admin page's client components use these types and limits too.

/** 90 days by default: long enough for a quarter of rounds, short enough that a forgotten token dies. */
export const DEFAULT_CREDENTIAL_VALIDITY_DAYS = 90;
export const MAX_CREDENTIAL_VALIDITY_DAYS = 365;

export type THospitalCredentialStatus = "active" | "expired" | "revoked";

export type THospitalCredentialView = {
  id: string;
  label: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  status: THospitalCredentialStatus;
};

/** The columns a view is built from; tokenHash is deliberately not among them. */
export const HOSPITAL_CREDENTIAL_VIEW_SELECT = { id: true, label: true, createdAt: true, expiresAt: true, revokedAt: true, lastUsedAt: true } as const;

type TCredentialRow = { id: string; label: string; createdAt: Date; expiresAt: Date; revokedAt: Date | null; lastUsedAt: Date | null };

export function toHospitalCredentialView(row: TCredentialRow, now: Date): THospitalCredentialView {
  // Revoked wins over expired: it is the deliberate act, and what an admin looking for it expects to see.
  const status: THospitalCredentialStatus = row.revokedAt ? "revoked" : row.expiresAt <= now ? "expired" : "active";
  return {
    id: row.id,
    label: row.label,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    status,
  };
}
