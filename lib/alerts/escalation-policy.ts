// Server-only. When an unacknowledged critical alert moves up the paging rota.
import { ESCALATION_HOSPITAL_LEVEL } from "./alert-conditions";

export type TEscalationPolicy = {
  /** When an alert now at `level` escalates next, or null when it is already at the top. */
  nextAt(level: number, from: Date): Date | null;
};

/**
 * delaysS[0]: open -> next clinician; delaysS[1]: next clinician -> whole hospital. The defaults
 * (2 min, then 3 min more) follow common nurse-call practice of re-paging within minutes; hospitals
 * set their own through ALERT_ESCALATION_DELAYS_S.
 */
export function createEscalationPolicy(delaysS: readonly number[]): TEscalationPolicy {
  return {
    nextAt(level, from) {
      if (level >= ESCALATION_HOSPITAL_LEVEL) return null;
      const delayS = delaysS[Math.min(level, delaysS.length - 1)];
      if (delayS === undefined) return null;
      return new Date(from.getTime() + delayS * 1000);
    },
  };
}
