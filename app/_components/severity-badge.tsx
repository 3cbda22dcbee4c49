import type { TAlertView } from "@/lib/alerts/alert-views";
import { SEVERITY_LABELS } from "./alert-labels";

export function SeverityBadge({ severity }: { severity: TAlertView["severity"] }) {
  const label = SEVERITY_LABELS[severity];
  return (
    <span className={`badge badge-${severity.toLowerCase()}`}>
      <span aria-hidden="true">{label.symbol} </span>
      {label.text}
    </span>
  );
}
