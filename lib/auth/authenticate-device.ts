// Server-only. Devices present a bearer token; only its hash is stored.
import type { TDb } from "../db/create-prisma-client";
import type { TDeviceActor } from "./actor";
import { createRandomToken, hashToken } from "./tokens";

// A recognisable prefix lets secret scanners spot a leaked device token.
const DEVICE_TOKEN_PREFIX = "pgd_";

export function createDeviceToken(): { token: string; tokenHash: string } {
  const token = DEVICE_TOKEN_PREFIX + createRandomToken();
  return { token, tokenHash: hashToken(token) };
}

export function readBearerToken(authorization: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  return match?.[1] ?? null;
}

export async function authenticateDevice(options: { db: TDb; token: string }): Promise<TDeviceActor | null> {
  if (!options.token.startsWith(DEVICE_TOKEN_PREFIX) || options.token.length > 200) return null;
  const device = await options.db.device.findUnique({
    where: { tokenHash: hashToken(options.token) },
    include: { patient: { select: { hospitalId: true } } },
  });
  if (!device || device.revokedAt) return null;
  return {
    kind: "device",
    deviceId: device.id,
    deviceKind: device.kind,
    patientId: device.patientId,
    hospitalId: device.patient.hospitalId,
  };
}
