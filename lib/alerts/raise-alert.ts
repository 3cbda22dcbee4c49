// Server-only. Opens an alert, or folds a repeated hit for the same patient and condition into the
// alert that is still open, so an episode that keeps tripping the detector pages once, not every
// window. Only lib/alerts writes alerts.
import { z } from "zod";
import type { TDb } from "../db/create-prisma-client";
import type { Alert, AlertEvent } from "../db/generated/client.ts";
import type { TAlertChange } from "./alert-change";
import type { TAlertPathTrace } from "./alert-path-trace";
import {
  isStrongerOrEqualSource,
  maxSeverity,
  ZAlertConditionSchema,
  ZAlertSeveritySchema,
  ZAlertSourceSchema,
} from "./alert-conditions";
import type { TEscalationPolicy } from "./escalation-policy";

export const ZRaiseAlertSchema = z.strictObject({
  patientId: z.uuid(),
  condition: ZAlertConditionSchema,
  severity: ZAlertSeveritySchema,
  source: ZAlertSourceSchema,
  // Ids, scores, model versions, the heart-rate window: what a clinician needs to judge the alert.
  evidence: z.record(z.string(), z.unknown()),
  at: z.date().optional(),
});
export type TRaiseAlert = z.infer<typeof ZRaiseAlertSchema>;

export type TRaiseAlertResult = TAlertChange & {
  isNew: boolean;
  /** False for a folded hit that changes nothing a clinician must hear about again. */
  shouldNotify: boolean;
};

type TRaiseContext = { hospitalId: string; ruleEnabled: boolean | null; openId: bigint | null };

/** Null when the patient's alert rules switch this condition off. */
export async function raiseAlert(options: {
  db: TDb;
  input: TRaiseAlert;
  escalation: TEscalationPolicy;
  trace?: TAlertPathTrace;
}): Promise<TRaiseAlertResult | null> {
  const { trace } = options;
  const { db, escalation } = options;
  const input = ZRaiseAlertSchema.parse(options.input);
  const at = input.at ?? new Date();

  const result = await db.$transaction(async (tx) => {
    trace?.mark("txStarted");
    // Serialises raisers of the same patient+condition (on any instance), so two hits arriving at
    // once fold into one alert instead of opening two.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`alert:${input.patientId}:${input.condition}`}))`;
    trace?.mark("txLocked");
    // After the lock, in one statement: the patient's rule for this condition, their hospital, and the
    // alert still open for it. (Three queries before, and the rule outside the transaction: each one
    // waited its turn when the server was busy, and an alert is on its way.)
    const [found] = await tx.$queryRaw<TRaiseContext[]>`
      SELECT p."hospitalId"::text AS "hospitalId",
             (SELECT r.enabled FROM "PatientAlertRule" r WHERE r."patientId" = p.id AND r.condition = ${input.condition}) AS "ruleEnabled",
             (SELECT a.id FROM "Alert" a
              WHERE a."patientId" = p.id AND a.condition = ${input.condition} AND a.status IN ('OPEN', 'ACKNOWLEDGED')
              ORDER BY a.id DESC LIMIT 1) AS "openId"
      FROM "Patient" p WHERE p.id = ${input.patientId}::uuid`;
    if (!found) throw new Error("raiseAlert: no such patient");
    if (found.ruleEnabled === false) return null;
    const open = found.openId === null ? null : await tx.alert.findUniqueOrThrow({ where: { id: found.openId } });
    let alert: Alert;
    let event: AlertEvent;
    if (open) {
      const severity = maxSeverity(open.severity, input.severity);
      const isUpgrade = severity !== open.severity;
      const keepsNewEvidence = isStrongerOrEqualSource(input.source, open.source);
      const startsEscalation = isUpgrade && severity === "CRITICAL" && open.status === "OPEN";
      alert = await tx.alert.update({
        where: { id: open.id },
        data: {
          hitCount: { increment: 1 },
          lastHitAt: at,
          severity,
          ...(keepsNewEvidence ? { source: input.source, evidence: input.evidence as object } : {}),
          ...(startsEscalation ? { nextEscalationAt: escalation.nextAt(0, at) } : {}),
        },
      });
      event = await tx.alertEvent.create({
        data: { alertId: alert.id, type: "hit", at, detail: { source: input.source, severity: input.severity, hitCount: alert.hitCount } },
      });
      return { alert, event, isNew: false, shouldNotify: isUpgrade || (keepsNewEvidence && input.source !== open.source) };
    }
    alert = await tx.alert.create({
      data: {
        patientId: input.patientId,
        hospitalId: found.hospitalId,
        condition: input.condition,
        severity: input.severity,
        source: input.source,
        evidence: input.evidence as object,
        openedAt: at,
        lastHitAt: at,
        nextEscalationAt: input.severity === "CRITICAL" ? escalation.nextAt(0, at) : null,
      },
    });
    event = await tx.alertEvent.create({
      data: { alertId: alert.id, type: "opened", at, detail: { source: input.source, severity: input.severity } },
    });
    return { alert, event, isNew: true, shouldNotify: true };
  });
  trace?.mark("txCommitted");
  return result;
}
