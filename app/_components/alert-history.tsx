import Link from "next/link";
import type { TAlertView } from "@/lib/alerts/alert-views";
import { describeCondition, describeStatus, SOURCE_LABELS } from "./alert-labels";
import { SeverityBadge } from "./severity-badge";
import { Timestamp } from "./timestamp";

/** A patient's alerts, newest first; each links to its evidence on the same page. */
export function AlertHistory({ alerts, timeZone, basePath, selectedAlertId }: { alerts: TAlertView[]; timeZone: string; basePath: string; selectedAlertId: string | null }) {
  return (
    <section className="card" aria-labelledby="alert-history-heading">
      <h2 id="alert-history-heading">Alerts</h2>
      {alerts.length === 0 ? (
        <p>No alerts so far.</p>
      ) : (
        <table className="data-table stack-on-phone" aria-labelledby="alert-history-heading">
          <thead>
            <tr>
              <th scope="col">Opened ({timeZone})</th>
              <th scope="col">Condition</th>
              <th scope="col">Severity</th>
              <th scope="col">Status</th>
              <th scope="col">Evidence</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((alert) => (
              <tr key={alert.id} aria-current={alert.id === selectedAlertId ? "true" : undefined}>
                <td className="nowrap-time">
                  <Timestamp value={new Date(alert.openedAt)} timeZone={timeZone} />
                </td>
                <th scope="row">
                  {describeCondition(alert.condition)}
                  <span className="hint block">{SOURCE_LABELS[alert.source]}</span>
                </th>
                <td>
                  <SeverityBadge severity={alert.severity} />
                </td>
                <td>{describeStatus(alert)}</td>
                <td>
                  <Link href={`${basePath}?alert=${alert.id}#evidence`} aria-label={`Evidence for the ${describeCondition(alert.condition)} alert of ${alert.openedAt}`}>
                    {alert.id === selectedAlertId ? "Shown below" : "Show"}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
