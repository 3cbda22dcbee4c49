"use client";

// Federated rounds for the hospital admin: start one, follow the current one live ("fl:round" pushes
// on the page's socket, no reload), and the history with each round's metrics and resulting model.
// After a (re)connect the list is fetched again, so pushes missed while offline are caught up.
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { TRoundView } from "@/lib/fl/rounds/round-views";
import { acquireSocket, releaseSocket } from "../../_components/realtime-socket";
import { RoundHistory } from "./round-history";
import { RoundProgress } from "./round-progress";
import { isRoundFinished, STAGE_LABELS } from "./round-labels";
import { sendAdminRequest } from "./send-admin-request";
import { StartRoundForm } from "./start-round-form";

type TConnection = "connecting" | "live" | "offline";

const byStartedAtDesc = (a: TRoundView, b: TRoundView) => b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id);

export function FederatedRounds({ initialRounds, csrfToken }: { initialRounds: TRoundView[]; csrfToken: string }) {
  const router = useRouter();
  const [rounds, setRounds] = useState(initialRounds);
  const [connection, setConnection] = useState<TConnection>("connecting");
  const [timeZone, setTimeZone] = useState("UTC");
  const [announcement, setAnnouncement] = useState("");

  useEffect(() => setTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"), []);

  const upsert = (round: TRoundView) => setRounds((current) => [round, ...current.filter((candidate) => candidate.id !== round.id)].sort(byStartedAtDesc));

  useEffect(() => {
    const client = acquireSocket();
    let isMounted = true;
    const refetch = async () => {
      const result = await sendAdminRequest<{ rounds: TRoundView[] }>("/api/fl/rounds", { method: "GET" });
      if (result.ok && isMounted) setRounds(result.data.rounds.slice().sort(byStartedAtDesc));
    };
    const onConnect = () => {
      setConnection("live");
      void refetch();
    };
    const onDisconnect = () => setConnection("offline");
    const onRound = (round: TRoundView) => upsert(round);
    client.on("connect", onConnect);
    client.on("disconnect", onDisconnect);
    client.on("fl:round", onRound);
    if (client.connected) onConnect();
    return () => {
      isMounted = false;
      client.off("connect", onConnect);
      client.off("disconnect", onDisconnect);
      client.off("fl:round", onRound);
      releaseSocket();
    };
  }, []);

  const current = rounds.find((round) => !isRoundFinished(round.stage)) ?? null;
  const latest = rounds[0] ?? null;
  // The progress section follows the running round; once it ends, it keeps showing how it ended.
  const shown = current ?? latest;
  const shownStage = shown?.stage;
  const announcedStage = useRef<string | undefined>(shownStage);
  useEffect(() => {
    if (shownStage === announcedStage.current) return;
    announcedStage.current = shownStage;
    if (shownStage) setAnnouncement(`Federated round: ${STAGE_LABELS[shownStage]}.`);
  }, [shownStage]);

  async function activate(versionId: string): Promise<string | null> {
    const result = await sendAdminRequest<{ version: { id: string; name: string; version: number; status: string } }>(`/api/models/${versionId}/activate`, { method: "POST", csrfToken });
    if (!result.ok) return result.message;
    const { version } = result.data;
    setRounds((list) =>
      list.map((round) => {
        if (!round.resultVersion || round.modelName !== version.name) return round;
        // Activating one version retires the one that was active, so every row of this model changes.
        const status = round.resultVersion.id === version.id ? "ACTIVE" : round.resultVersion.status === "ACTIVE" ? "RETIRED" : round.resultVersion.status;
        return { ...round, resultVersion: { ...round.resultVersion, status } };
      }),
    );
    setAnnouncement(`${version.name} version ${version.version} is now active.`);
    // The registered-versions table is rendered on the server: fetch it again.
    router.refresh();
    return null;
  }

  async function cancel(roundId: string): Promise<string | null> {
    const result = await sendAdminRequest<{ round: TRoundView }>(`/api/fl/rounds/${roundId}/cancel`, { method: "POST", csrfToken });
    if (!result.ok) return result.message;
    upsert(result.data.round);
    return null;
  }

  return (
    <section className="card" aria-labelledby="fl-rounds-heading">
      <h2 id="fl-rounds-heading">Federated training rounds</h2>
      <p className="live-status" data-status={connection === "live" ? "live" : "offline"} data-testid="rounds-connection">
        <span aria-hidden="true">{connection === "live" ? "● " : "○ "}</span>
        {connection === "live" ? "Live" : connection === "connecting" ? "Connecting…" : "Connection lost, reconnecting…"}
      </p>
      <p className="hint">
        Rounds are shared by every hospital in the consortium: all admins see the same rounds, hospitals and stages, never another hospital&apos;s data or
        update. Times in {timeZone}.
      </p>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <StartRoundForm csrfToken={csrfToken} isRoundRunning={current !== null} onStarted={upsert} />
      <RoundProgress round={shown} timeZone={timeZone} onCancel={cancel} />
      <RoundHistory rounds={rounds} timeZone={timeZone} onActivate={activate} />
    </section>
  );
}
