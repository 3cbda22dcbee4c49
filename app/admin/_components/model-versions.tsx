import type { TModelManifestView, TModelVersionRow } from "@/lib/dashboards/list-model-versions";
import type { TModelCard } from "@/lib/models/model-card";
import { Timestamp } from "../../_components/timestamp";

/** Intended use, training data, split and known limits, as the manifest states them. */
function ModelCard({ card, name }: { card: TModelCard; name: string }) {
  return (
    <div className="model-card" aria-label={`Model card of ${name}`}>
      <p>
        <strong>Intended use.</strong> {card.intendedUse}
      </p>
      <p>
        <strong>Trained on:</strong>
      </p>
      <ul>
        {card.trainingData.map((entry) => (
          <li key={entry.dataset}>
            {entry.dataset}
            {entry.records !== undefined ? `: ${entry.records.toLocaleString("en-US")} records` : ""}
            {entry.subjects !== undefined ? `: ${entry.subjects.toLocaleString("en-US")} subjects` : ""}
            {entry.labels ? ` (labels: ${entry.labels})` : ""}
          </li>
        ))}
      </ul>
      <p>
        <strong>Split.</strong> {card.split}
      </p>
      <p>
        <strong>Known limits:</strong>
      </p>
      <ul>
        {card.knownLimits.map((limit) => (
          <li key={limit}>{limit}</li>
        ))}
      </ul>
    </div>
  );
}

const formatMetric = (value: string | number) => (typeof value === "number" ? (Number.isInteger(value) ? String(value) : value.toFixed(4).replace(/0+$/, "")) : value);

/** The committed model manifests (what devices and browsers run) and the registry's ModelVersion rows. */
export function ModelVersions({ manifests, versions }: { manifests: TModelManifestView[]; versions: TModelVersionRow[] }) {
  return (
    <section className="card" aria-labelledby="model-versions-heading">
      <h2 id="model-versions-heading">Model versions in use</h2>
      <p className="hint">From the manifests shipped with this server (public/models). Times in UTC.</p>
      {manifests.length === 0 && <p>No model manifests were found.</p>}
      {manifests.map((manifest) => (
        <article key={manifest.folder} className="model" aria-labelledby={`model-${manifest.folder}`}>
          <h3 id={`model-${manifest.folder}`}>
            {manifest.name} <span className="hint">version {manifest.version}</span>
          </h3>
          {manifest.error ? (
            <p className="form-error">{manifest.error}</p>
          ) : (
            <>
              <p className="hint">
                Folder <code>public/models/{manifest.folder}</code>
                {manifest.createdAt ? (
                  <>
                    , built <Timestamp value={new Date(manifest.createdAt)} timeZone="UTC" />
                  </>
                ) : null}
              </p>
              {manifest.card ? (
                <ModelCard card={manifest.card} name={manifest.name} />
              ) : (
                <p className="hint">This manifest has no model card (training data, split, known limits).</p>
              )}
              {manifest.metrics.length > 0 ? (
                <table className="data-table compact" aria-label={`Metrics of ${manifest.name}`}>
                  <thead>
                    <tr>
                      <th scope="col">Metric</th>
                      <th scope="col" className="numeric">
                        Value
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {manifest.metrics.map((metric) => (
                      <tr key={metric.key}>
                        <th scope="row">{metric.key}</th>
                        <td className="numeric">{formatMetric(metric.value)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p>The manifest lists no metrics.</p>
              )}
              <details>
                <summary>Full manifest</summary>
                <pre className="manifest">{manifest.manifestJson}</pre>
              </details>
            </>
          )}
        </article>
      ))}
      <h3>Registered versions</h3>
      {versions.length === 0 ? (
        <p>No model versions are registered in the database yet; federated rounds will add them.</p>
      ) : (
        <table className="data-table" aria-label="Registered model versions">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="numeric">
                Version
              </th>
              <th scope="col">Status</th>
              <th scope="col" className="numeric">
                Size (bytes)
              </th>
              <th scope="col">Created (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => (
              <tr key={version.id}>
                <th scope="row">{version.name}</th>
                <td className="numeric">{version.version}</td>
                <td>{version.status}</td>
                <td className="numeric">{version.sizeBytes}</td>
                <td className="nowrap-time">
                  <Timestamp value={new Date(version.createdAt)} timeZone="UTC" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
