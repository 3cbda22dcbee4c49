import type { TParticipantStatus, TRoundStage } from "@/lib/fl/wire";

/** The stages a round passes through, in order; it ends in DONE or FAILED. */
export const WORKING_STAGES = ["ADVERTISING", "SHARING", "MASKING", "UNMASKING"] as const satisfies readonly TRoundStage[];

export const STAGE_LABELS: Record<TRoundStage, string> = {
  ADVERTISING: "Advertising keys",
  SHARING: "Sharing secrets",
  MASKING: "Uploading masked updates",
  UNMASKING: "Unmasking",
  DONE: "Done",
  FAILED: "Failed",
};

/** A symbol and a text for each status: colour is never the only signal. */
export const PARTICIPANT_STATUS_LABELS: Record<TParticipantStatus, { symbol: string; text: string }> = {
  SELECTED: { symbol: "○", text: "Selected, waiting for its keys" },
  ADVERTISED: { symbol: "◔", text: "Keys advertised" },
  SHARED: { symbol: "◑", text: "Secret shares sent" },
  UPLOADED: { symbol: "◕", text: "Masked update uploaded" },
  UNMASKED: { symbol: "●", text: "Unmasking shares sent" },
  DROPPED: { symbol: "✗", text: "Dropped" },
};

export const isRoundFinished = (stage: TRoundStage) => stage === "DONE" || stage === "FAILED";

export function formatDurationS(totalS: number): string {
  const seconds = Math.max(0, Math.round(totalS));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${rest} s`;
  return `${rest} s`;
}

export const formatBytes = (bytes: number) => `${bytes.toLocaleString("en-US")} bytes`;
