// Server-only. Pushes a federated round's state to every hospital admin after each committed change.
// A round changes in bursts (ten hospitals uploading within a second), so pushes are coalesced per round:
// at most one emit per interval, and the emit loads the state when it goes out, so the last one of a
// burst always carries the latest state. Fire-and-forget: a failed push never fails the change itself.
import type { TDb } from "../db/create-prisma-client";
import { getRoundView, type TRoundView } from "../fl/rounds";
import { getLogger } from "../log/logger";
import type { TRealtimeServer } from "./create-realtime-server";
import { rooms } from "./events";

/** Four updates a second is as fast as a person can follow a stepper; more only costs queries. */
export const ROUND_PUSH_MIN_INTERVAL_MS = 250;

export type TRoundProgressPublisher = {
  /** Schedules a push of this round's current state; returns at once. */
  publish(roundId: string): void;
  /** Drops pending pushes (shutdown: the database is about to close). */
  close(): void;
};

type TRoundSlot = { dirty: boolean; isLoading: boolean; cooldown: ReturnType<typeof setTimeout> | null };

type TRoundEmitter = Pick<TRealtimeServer, "to">;

export function createRoundProgressPublisher(options: {
  io: TRoundEmitter;
  db: TDb;
  minIntervalMs?: number;
  /** The view to push; getRoundView unless a test injects its own. */
  loadRound?: (options: { db: TDb; roundId: string }) => Promise<TRoundView | null>;
}): TRoundProgressPublisher {
  const { io, db } = options;
  const loadRound = options.loadRound ?? getRoundView;
  const minIntervalMs = options.minIntervalMs ?? ROUND_PUSH_MIN_INTERVAL_MS;
  const slots = new Map<string, TRoundSlot>();
  let isClosed = false;

  async function flush(roundId: string, slot: TRoundSlot): Promise<void> {
    slot.dirty = false;
    slot.isLoading = true;
    try {
      const view = await loadRound({ db, roundId });
      if (view && !isClosed) io.to(rooms.consortiumAdmins()).emit("fl:round", view);
    } catch (error) {
      getLogger().error({ roundId, err: error instanceof Error ? { name: error.name } : undefined }, "round progress push failed");
    } finally {
      slot.isLoading = false;
      // The cooldown starts after the emit: a publish during it sets dirty and is sent when it ends.
      if (!isClosed) {
        slot.cooldown = setTimeout(() => {
          slot.cooldown = null;
          if (slot.dirty && !isClosed) void flush(roundId, slot);
          else slots.delete(roundId);
        }, minIntervalMs);
        slot.cooldown.unref?.();
      }
    }
  }

  return {
    publish(roundId) {
      if (isClosed) return;
      let slot = slots.get(roundId);
      if (!slot) {
        slot = { dirty: false, isLoading: false, cooldown: null };
        slots.set(roundId, slot);
      }
      slot.dirty = true;
      if (!slot.isLoading && !slot.cooldown) void flush(roundId, slot);
    },
    close() {
      isClosed = true;
      for (const slot of slots.values()) if (slot.cooldown) clearTimeout(slot.cooldown);
      slots.clear();
    },
  };
}
