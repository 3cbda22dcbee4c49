// The evidence an alert was raised on: the heart-rate window the watch screen flagged and the ECG strip
// that confirmed it (or why there is none). Evidence is JSON written by the detection cascade; it is
// parsed here, field by field, so an older or partial shape still shows what it has.
import { z } from "zod";
import type { TAlertEventView, TAlertView } from "@/lib/alerts/alert-views";
import { describeCondition, describeStatus, SOURCE_LABELS } from "./alert-labels";
import { EcgStripViewer } from "./charts/ecg-strip-viewer";
import { HeartRateWindowChart } from "./charts/heart-rate-window-chart";
import { describeRhythm } from "./rhythm-labels";
import { SeverityBadge } from "./severity-badge";
import { Timestamp } from "./timestamp";

const ZEvidenceSchema = z.object({
  heartRate: z
    .object({ startedAt: z.string(), intervalMs: z.number().positive(), bpm: z.array(z.number()), activity: z.array(z.number()).optional() })
    .optional()
    .catch(undefined),
  tier1: z.looseObject({ score: z.number().optional(), suspected: z.string().optional(), levelBpm: z.number().optional(), baselineBpm: z.number().optional() }).optional().catch(undefined),
  ecg: z
    .object({ label: z.string(), confidence: z.number(), probabilities: z.record(z.string(), z.number()).optional(), modelVersion: z.string().optional() })
    .optional()
    .catch(undefined),
  stripId: z.string().optional().catch(undefined),
  confidence: z.number().optional().catch(undefined),
  unconfirmedReason: z.string().optional().catch(undefined),
});

const UNCONFIRMED_REASONS: Record<string, string> = {
  timeout: "The watch did not send an ECG strip in time.",
  unreadable: "The ECG strip could not be read (noise).",
  inconclusive: "The ECG strips were unreadable or undecided; the watch's evidence stands on its own.",
  other_rhythm: "The ECG strip shows an abnormal rhythm other than the one suspected (not sinus, not AF): review the strip.",
};

const percent = (value: number) => `${Math.round(value * 100)}%`;

export function AlertEvidence({ alert, events, timeZone }: { alert: TAlertView; events: TAlertEventView[]; timeZone: string }) {
  const parsed = ZEvidenceSchema.safeParse(alert.evidence ?? {});
  const evidence = parsed.success ? parsed.data : {};
  const probabilities = Object.entries(evidence.ecg?.probabilities ?? {}).sort(([, a], [, b]) => b - a);
  return (
    <section className="card evidence" id="evidence" aria-labelledby="evidence-heading" tabIndex={-1}>
      <h2 id="evidence-heading">
        Evidence: {describeCondition(alert.condition)} <SeverityBadge severity={alert.severity} />
      </h2>
      <dl className="facts">
        <div>
          <dt>Opened ({timeZone})</dt>
          <dd>
            <Timestamp value={new Date(alert.openedAt)} timeZone={timeZone} />
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd data-testid="evidence-status">{describeStatus(alert)}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{SOURCE_LABELS[alert.source]}</dd>
        </div>
        <div>
          <dt>Watch screen</dt>
          <dd>
            {evidence.tier1?.score !== undefined ? `score ${evidence.tier1.score.toFixed(3)}` : "no score"}
            {evidence.tier1?.levelBpm !== undefined ? `, ${Math.round(evidence.tier1.levelBpm)} bpm` : ""}
            {evidence.tier1?.baselineBpm !== undefined ? ` against a baseline of ${Math.round(evidence.tier1.baselineBpm)} bpm` : ""}
          </dd>
        </div>
        <div>
          <dt>ECG model</dt>
          <dd>
            {evidence.ecg
              ? `${describeRhythm(evidence.ecg.label)}, ${percent(evidence.ecg.confidence)} confident${evidence.ecg.modelVersion ? ` (model ${evidence.ecg.modelVersion})` : ""}`
              : (UNCONFIRMED_REASONS[evidence.unconfirmedReason ?? ""] ?? "No ECG reading.")}
          </dd>
        </div>
        {alert.hitCount > 1 && (
          <div>
            <dt>Repeated detections</dt>
            <dd>{alert.hitCount}</dd>
          </div>
        )}
      </dl>

      {evidence.heartRate ? (
        <>
          <h3>Heart rate the watch screen flagged</h3>
          <HeartRateWindowChart
            window={evidence.heartRate}
            timeZone={timeZone}
            label={`Heart rate over ${Math.round((evidence.heartRate.bpm.length * evidence.heartRate.intervalMs) / 60_000)} minutes before the alert, with the activity level.`}
          />
        </>
      ) : (
        <p>No heart-rate window was recorded with this alert.</p>
      )}

      {probabilities.length > 0 && (
        <table className="data-table compact" aria-label="ECG model probabilities">
          <thead>
            <tr>
              <th scope="col">Rhythm</th>
              <th scope="col" className="numeric">
                Probability
              </th>
            </tr>
          </thead>
          <tbody>
            {probabilities.map(([label, probability]) => (
              <tr key={label}>
                <th scope="row">{describeRhythm(label)}</th>
                <td className="numeric">{percent(probability)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {evidence.stripId && (
        <EcgStripViewer
          patientId={alert.patientId}
          timeZone={timeZone}
          strips={[{ id: evidence.stripId, recordedAt: alert.openedAt, label: evidence.ecg?.label ?? null }]}
          headingId="evidence-strip-heading"
          title="ECG strip that confirmed it"
        />
      )}

      {events.length > 0 && (
        <>
          <h3>Timeline</h3>
          <ol className="timeline">
            {events.map((event) => (
              <li key={event.eventId}>
                <Timestamp value={new Date(event.at)} timeZone={timeZone} /> {event.type}
                {event.note ? `: ${event.note}` : ""}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
