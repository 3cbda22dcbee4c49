"use client";

// Participant credentials: the bearer tokens this hospital's federated-training process presents. A new
// token is shown once, right after it is issued, with the command that starts the participant; the
// server keeps only its hash, so closing the panel is the last chance to copy it.
import { useEffect, useId, useState, type FormEvent } from "react";
import {
  DEFAULT_CREDENTIAL_VALIDITY_DAYS,
  MAX_CREDENTIAL_VALIDITY_DAYS,
  type THospitalCredentialStatus,
  type THospitalCredentialView,
} from "@/lib/fl/credentials/hospital-credential-view";
import { Timestamp } from "../../_components/timestamp";
import { sendAdminRequest } from "./send-admin-request";
import { useAdminForm } from "./use-admin-form";

const STATUS_LABELS: Record<THospitalCredentialStatus, { symbol: string; text: string }> = {
  active: { symbol: "●", text: "Active" },
  expired: { symbol: "◌", text: "Expired" },
  revoked: { symbol: "✗", text: "Revoked" },
};

type TIssued = { token: string; credential: THospitalCredentialView };

export function FederatedCredentials({ initialCredentials, hospitalId, csrfToken }: { initialCredentials: THospitalCredentialView[]; hospitalId: string; csrfToken: string }) {
  const [credentials, setCredentials] = useState(initialCredentials);
  const [issued, setIssued] = useState<TIssued | null>(null);
  const [timeZone, setTimeZone] = useState("UTC");
  const [announcement, setAnnouncement] = useState("");

  useEffect(() => setTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"), []);

  const replace = (credential: THospitalCredentialView) => setCredentials((current) => current.map((candidate) => (candidate.id === credential.id ? credential : candidate)));

  return (
    <section className="card" aria-labelledby="fl-credentials-heading">
      <h2 id="fl-credentials-heading">Federated training: participant credentials</h2>
      <p className="hint">
        Your hospital&apos;s training process authenticates with one of these credentials. It trains on your own data; only masked model updates leave the
        hospital. Times in {timeZone}.
      </p>
      <IssueCredentialForm
        csrfToken={csrfToken}
        onIssued={(result) => {
          setIssued(result);
          setCredentials((current) => [result.credential, ...current]);
          setAnnouncement(`Credential “${result.credential.label}” issued. Copy its token now: it is shown only once.`);
        }}
      />
      {issued && <IssuedToken issued={issued} hospitalId={hospitalId} onDone={() => setIssued(null)} />}
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <h3 id="fl-credentials-list-heading">Issued credentials</h3>
      {credentials.length === 0 ? (
        <p>No credentials have been issued yet.</p>
      ) : (
        <table className="data-table stack-on-phone labelled-cells" aria-labelledby="fl-credentials-list-heading" data-testid="credential-table">
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Status</th>
              <th scope="col">Issued</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {credentials.map((credential) => (
              <CredentialRow
                key={credential.id}
                credential={credential}
                timeZone={timeZone}
                csrfToken={csrfToken}
                onRevoked={(revoked) => {
                  replace(revoked);
                  if (issued?.credential.id === revoked.id) setIssued(null);
                  setAnnouncement(`Credential “${revoked.label}” revoked.`);
                }}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function IssueCredentialForm({ csrfToken, onIssued }: { csrfToken: string; onIssued: (issued: TIssued) => void }) {
  const id = useId();
  const [label, setLabel] = useState("");
  const [validityDays, setValidityDays] = useState(String(DEFAULT_CREDENTIAL_VALIDITY_DAYS));
  const { isBusy, error, fields, submit } = useAdminForm(csrfToken);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const issued = await submit<TIssued>("/api/fl/credentials", { label, validityDays: Number(validityDays) });
    if (!issued) return;
    setLabel("");
    setValidityDays(String(DEFAULT_CREDENTIAL_VALIDITY_DAYS));
    onIssued(issued);
  }

  return (
    <form className="inline-form" onSubmit={handleSubmit} aria-label="Issue a participant credential" noValidate>
      <div className="field field-wide">
        <label htmlFor={`${id}-label`}>Label</label>
        <input
          id={`${id}-label`}
          name="label"
          value={label}
          onChange={(event) => setLabel(event.target.value)}
          maxLength={80}
          required
          placeholder="e.g. training server, ward 3"
          aria-invalid={fields.label ? true : undefined}
          aria-describedby={fields.label ? `${id}-label-error` : undefined}
        />
        {fields.label && (
          <p id={`${id}-label-error`} className="field-error">
            Label: {fields.label}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-days`}>Valid for (days, 1–{MAX_CREDENTIAL_VALIDITY_DAYS})</label>
        <input
          id={`${id}-days`}
          name="validityDays"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_CREDENTIAL_VALIDITY_DAYS}
          step={1}
          value={validityDays}
          onChange={(event) => setValidityDays(event.target.value)}
          aria-invalid={fields.validityDays ? true : undefined}
          aria-describedby={fields.validityDays ? `${id}-days-error` : undefined}
        />
        {fields.validityDays && (
          <p id={`${id}-days-error`} className="field-error">
            Validity: {fields.validityDays}
          </p>
        )}
      </div>
      <button type="submit" className="button" disabled={isBusy}>
        {isBusy ? "Issuing…" : "Issue credential"}
      </button>
      {error && (
        <p role="alert" className="form-error block">
          {error}
        </p>
      )}
    </form>
  );
}

function CopyButton({ text, what }: { text: string; what: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      // The clipboard API needs a secure context (https or localhost); the text stays selectable.
      setState("failed");
    }
  }
  return (
    <p>
      <button type="button" className="button button-small button-quiet" onClick={copy}>
        Copy {what}
      </button>{" "}
      <span role="status" className="hint">
        {state === "copied" ? "Copied." : state === "failed" ? "Copying is not available here; select the text and copy it." : ""}
      </span>
    </p>
  );
}

function IssuedToken({ issued, hospitalId, onDone }: { issued: TIssued; hospitalId: string; onDone: () => void }) {
  const [origin, setOrigin] = useState("http://localhost:3000");
  useEffect(() => setOrigin(window.location.origin), []);
  // The token goes in a file, not on the command line, where shell history and process lists would keep it.
  const command = `npm run hospital -- --hospital ${hospitalId} --server ${origin} --credential-file hospital-credential.txt`;
  return (
    <div className="issued-token" role="region" aria-labelledby="issued-token-heading" data-testid="issued-token">
      <h3 id="issued-token-heading">Token for “{issued.credential.label}”</h3>
      <p>
        <strong>Copy it now: it is shown only this once.</strong> PulseGuard stores only a hash of it. Anyone holding it can take part in rounds as your
        hospital until it expires or you revoke it.
      </p>
      <p className="secret-line">
        <code data-testid="issued-token-value">{issued.token}</code>
      </p>
      <CopyButton text={issued.token} what="token" />
      <p>
        On the machine that holds your training data, save the token in <code>hospital-credential.txt</code> (readable by you only, e.g.{" "}
        <code>chmod 600</code>), then start your hospital&apos;s participant from a PulseGuard checkout:
      </p>
      <pre className="command-line" data-testid="issued-token-command">
        {command}
      </pre>
      <CopyButton text={command} what="command" />
      <p>
        <button type="button" className="button button-small" onClick={onDone}>
          I have stored the token
        </button>
      </p>
    </div>
  );
}

function CredentialRow({
  credential,
  timeZone,
  csrfToken,
  onRevoked,
}: {
  credential: THospitalCredentialView;
  timeZone: string;
  csrfToken: string;
  onRevoked: (credential: THospitalCredentialView) => void;
}) {
  const [isConfirming, setIsConfirming] = useState(false);
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const status = STATUS_LABELS[credential.status];

  async function revoke() {
    setIsBusy(true);
    setError(null);
    const result = await sendAdminRequest<{ credential: THospitalCredentialView }>(`/api/fl/credentials/${credential.id}`, { method: "DELETE", csrfToken });
    setIsBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    setIsConfirming(false);
    onRevoked(result.data.credential);
  }

  return (
    <tr data-credential-id={credential.id}>
      <th scope="row" className="break-anywhere">
        {credential.label}
      </th>
      <td data-testid="credential-status" data-status={credential.status} data-label="Status">
        <span aria-hidden="true">{status.symbol} </span>
        {status.text}
        {credential.revokedAt && (
          <span className="hint block">
            <Timestamp value={new Date(credential.revokedAt)} timeZone={timeZone} />
          </span>
        )}
      </td>
      <td className="nowrap-time" data-label="Issued">
        <Timestamp value={new Date(credential.createdAt)} timeZone={timeZone} />
      </td>
      <td className="nowrap-time" data-label="Expires">
        <Timestamp value={new Date(credential.expiresAt)} timeZone={timeZone} />
      </td>
      <td className="nowrap-time" data-label="Last used">{credential.lastUsedAt ? <Timestamp value={new Date(credential.lastUsedAt)} timeZone={timeZone} /> : "Never"}</td>
      <td>
        {credential.status === "active" &&
          (isConfirming ? (
            <div role="group" aria-label={`Confirm revoking ${credential.label}`} className="inbox-actions">
              <span>Revoke “{credential.label}”? Its participant is refused from its next request on.</span>
              <button type="button" className="button button-small" onClick={revoke} disabled={isBusy}>
                {isBusy ? "Revoking…" : "Yes, revoke"}
              </button>
              <button type="button" className="button button-small button-quiet" onClick={() => setIsConfirming(false)} disabled={isBusy}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" className="button button-small button-quiet" onClick={() => setIsConfirming(true)} aria-label={`Revoke ${credential.label}`}>
              Revoke
            </button>
          ))}
        {error && (
          <p role="alert" className="field-error">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}
