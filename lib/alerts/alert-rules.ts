// Server-only. Per-patient alert rules: which conditions alert, and at which heart rate. Defaults come
// from the detection thresholds; a clinician on the care team may change them, audited.
import { z } from "zod";
import { assertRole, getPatientForActorOrThrow } from "../auth/access-policy";
import type { TActor } from "../auth/actor";
import { recordAudit } from "../audit/record-audit";
import type { TDb } from "../db/create-prisma-client";
import { ALERT_CONDITIONS, ZAlertConditionSchema, type TAlertCondition } from "./alert-conditions";

/**
 * Defaults: tachycardia above 120 bpm at rest and bradycardia below 40 bpm are common wearable-alert
 * settings (Apple Watch lets users pick 100-150 and 40-50); the rhythm conditions have no threshold.
 */
export const DEFAULT_THRESHOLD_BPM: Partial<Record<TAlertCondition, number>> = { tachycardia: 120, bradycardia: 40 };
const THRESHOLD_LIMITS_BPM: Partial<Record<TAlertCondition, { min: number; max: number }>> = {
  tachycardia: { min: 90, max: 200 },
  bradycardia: { min: 30, max: 60 },
};

export type TAlertRule = { condition: TAlertCondition; enabled: boolean; thresholdBpm: number | null; updatedAt: string | null; updatedById: string | null };

export const ZUpdateAlertRulesSchema = z.strictObject({
  rules: z
    .array(z.strictObject({ condition: ZAlertConditionSchema, enabled: z.boolean(), thresholdBpm: z.number().int().nullable().optional() }))
    .min(1)
    .max(ALERT_CONDITIONS.length),
}).superRefine((value, context) => {
  value.rules.forEach((rule, index) => {
    const limits = THRESHOLD_LIMITS_BPM[rule.condition];
    if (rule.thresholdBpm == null) return;
    if (!limits) context.addIssue({ code: "custom", path: ["rules", index, "thresholdBpm"], message: `${rule.condition} takes no threshold` });
    else if (rule.thresholdBpm < limits.min || rule.thresholdBpm > limits.max) {
      context.addIssue({ code: "custom", path: ["rules", index, "thresholdBpm"], message: `must be ${limits.min}-${limits.max} bpm` });
    }
  });
});
export type TUpdateAlertRules = z.infer<typeof ZUpdateAlertRulesSchema>;

export async function getAlertRules(options: { db: TDb; actor: TActor; patientId: string }): Promise<TAlertRule[]> {
  const { db, actor } = options;
  const patient = await getPatientForActorOrThrow({ db, actor, patientId: options.patientId, action: "alert_rules.read" });
  const rows = await db.patientAlertRule.findMany({ where: { patientId: patient.id } });
  return ALERT_CONDITIONS.map((condition) => {
    const row = rows.find((candidate) => candidate.condition === condition);
    return {
      condition,
      enabled: row?.enabled ?? true,
      thresholdBpm: row?.thresholdBpm ?? DEFAULT_THRESHOLD_BPM[condition] ?? null,
      updatedAt: row?.updatedAt.toISOString() ?? null,
      updatedById: row?.updatedById ?? null,
    };
  });
}

export async function updateAlertRules(options: { db: TDb; actor: TActor; patientId: string; input: TUpdateAlertRules }): Promise<TAlertRule[]> {
  const { db, actor } = options;
  assertRole(actor, ["CLINICIAN"]);
  const input = ZUpdateAlertRulesSchema.parse(options.input);
  const patient = await getPatientForActorOrThrow({ db, actor, patientId: options.patientId, action: null });
  await db.$transaction(async (tx) => {
    for (const rule of input.rules) {
      const data = { enabled: rule.enabled, thresholdBpm: rule.thresholdBpm ?? null, updatedById: actor.userId, updatedAt: new Date() };
      await tx.patientAlertRule.upsert({
        where: { patientId_condition: { patientId: patient.id, condition: rule.condition } },
        create: { patientId: patient.id, condition: rule.condition, ...data },
        update: data,
      });
    }
    await recordAudit({
      db: tx,
      entries: input.rules.map((rule) => ({
        actor,
        action: "alert_rules.update",
        targetType: "alert_rule",
        targetId: rule.condition,
        patientId: patient.id,
        hospitalId: patient.hospitalId,
        detail: { enabled: rule.enabled, thresholdBpm: rule.thresholdBpm ?? null },
      })),
    });
  });
  return getAlertRules({ db, actor, patientId: patient.id });
}
