// Server-only.
import { z } from "zod";
import { assertRole, getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import { createDeviceToken } from "../auth/authenticate-device";
import { recordAudit } from "../audit/record-audit";
import type { TDb } from "../db/create-prisma-client";

export const ZRegisterDeviceSchema = z.strictObject({
  kind: z.enum(["WATCH", "CGM"]),
  label: z.string().trim().min(1).max(80),
});
export type TRegisterDevice = z.infer<typeof ZRegisterDeviceSchema>;

/** Registers a device for a patient. The bearer token is returned once and only its hash is kept. */
export async function registerDevice(options: { db: TDb; actor: TActor; patientId: string; input: TRegisterDevice }) {
  const { db, actor, input } = options;
  assertRole(actor, ["HOSPITAL_ADMIN"]);
  const patient = await getPatientForActorOrThrow({ db, actor, patientId: options.patientId, action: null });
  const { token, tokenHash } = createDeviceToken();
  const device = await db.$transaction(async (tx) => {
    const created = await tx.device.create({
      data: { patientId: patient.id, kind: input.kind, label: input.label, tokenHash },
      select: { id: true, kind: true, label: true, patientId: true, createdAt: true },
    });
    await recordAudit({
      db: tx,
      entries: [{ actor, action: "device.register", targetType: "device", targetId: created.id, patientId: patient.id, hospitalId: patient.hospitalId, detail: { kind: input.kind } }],
    });
    return created;
  });
  return { device, token };
}
