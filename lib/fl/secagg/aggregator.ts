// The server's side of secure aggregation: collect advertised keys, relay encrypted shares, add masked
// inputs, and, with at least t unmasking responses, remove the masks. It never sees an unmasked input:
// only the sum of the survivors' inputs comes out. Malformed, replayed or out-of-round messages are
// refused with a clear error; the caller treats the sender as dropped and the round goes on.
import { AppError } from "../../errors/app-error";
import { agreeKey, assertUsablePublicKey } from "./keys";
import { expandMask } from "./prg";
import { pairwiseMask, type TAdvertisedKeys, type TEncryptedShare, type TMaskedInputMessage, type TRoster, type TShareKeysMessage, type TUnmaskRequest, type TUnmaskResponse } from "./protocol";
import { addInto, subtractInto } from "./ring";
import { combineShares, type TShare } from "./shamir";

export type TAggregatorStage = "advertising" | "sharing" | "masking" | "unmasking" | "done" | "failed";

export type TSecAggAggregator = {
  stage(): TAggregatorStage;
  /** Why the round failed (fewer than t left at some step), once it has. */
  failure(): string | undefined;
  advertise(message: TAdvertisedKeys): void;
  /** Closes advertising; null (and the round fails) with fewer than t participants. */
  closeAdvertising(): TRoster | null;
  submitShares(message: TShareKeysMessage): void;
  closeSharing(): boolean;
  /** What to relay to one participant (the shares addressed to it), after sharing closed. */
  sharesFor(participantId: string): TEncryptedShare[];
  submitMasked(message: TMaskedInputMessage): void;
  closeMasking(): TUnmaskRequest | null;
  submitUnmasking(message: TUnmaskResponse): void;
  /** The sum of the survivors' inputs in Z/2^32, or null (round failed) with fewer than t responses. */
  finish(): { sum: Uint32Array; survivors: string[]; dropped: string[] } | null;
  /** Bytes received per kind of message, for the cost report. */
  bytesReceived(): number;
};

function reject(message: string): never {
  throw new AppError("VALIDATION_FAILED", { message });
}

export function createSecAggAggregator(options: { roundId: string; threshold: number; vectorLength: number; maxParticipants?: number }): TSecAggAggregator {
  const { roundId, threshold, vectorLength } = options;
  if (threshold < 2) throw new AppError("BAD_REQUEST", { message: "threshold must be at least 2" });
  let stage: TAggregatorStage = "advertising";
  let failure: string | undefined;
  let bytes = 0;
  const advertised = new Map<string, TAdvertisedKeys>();
  let roster: TRoster | undefined;
  const shared = new Map<string, TEncryptedShare[]>();
  const masked = new Map<string, Uint32Array>();
  let unmaskRequest: TUnmaskRequest | undefined;
  const responses = new Map<string, TUnmaskResponse>();

  const expect = (wanted: TAggregatorStage) => {
    if (stage !== wanted) reject(`round is ${stage}, not ${wanted}`);
  };
  const fail = (why: string) => {
    stage = "failed";
    failure = why;
    return null;
  };
  const inRoster = (id: string) => roster?.entries.some((entry) => entry.participantId === id) ?? false;
  const indexOf = (id: string) => roster!.entries.find((entry) => entry.participantId === id)!.index;

  return {
    stage: () => stage,
    failure: () => failure,
    bytesReceived: () => bytes,

    advertise(message) {
      expect("advertising");
      if (advertised.has(message.participantId)) reject("keys already advertised by this participant");
      assertUsablePublicKey(message.cPublicKey, "cPublicKey");
      assertUsablePublicKey(message.sPublicKey, "sPublicKey");
      if (options.maxParticipants && advertised.size >= options.maxParticipants) reject("round is full");
      advertised.set(message.participantId, message);
      bytes += 64;
    },

    closeAdvertising() {
      expect("advertising");
      if (advertised.size < threshold) return fail(`${advertised.size} participants advertised keys; the threshold is ${threshold}`);
      roster = { roundId, threshold, entries: [...advertised.values()].map((keys, position) => ({ ...keys, index: position + 1 })) };
      stage = "sharing";
      return roster;
    },

    submitShares(message) {
      expect("sharing");
      if (message.roundId !== roundId) reject("shares for another round");
      if (!inRoster(message.from)) reject("sender is not in the roster");
      if (shared.has(message.from)) reject("shares already received from this participant (replay)");
      const targets = new Set(message.shares.map((share) => share.to));
      if (targets.size !== roster!.entries.length || message.shares.some((share) => share.from !== message.from || !inRoster(share.to))) {
        reject("one encrypted share per roster member is expected");
      }
      shared.set(message.from, message.shares);
      bytes += message.shares.reduce((total, share) => total + share.ciphertext.byteLength + share.iv.byteLength, 0);
    },

    closeSharing() {
      expect("sharing");
      if (shared.size < threshold) return fail(`${shared.size} participants shared keys; the threshold is ${threshold}`) ?? false;
      stage = "masking";
      return true;
    },

    sharesFor(participantId) {
      if (stage === "advertising" || stage === "sharing") reject("sharing is still open");
      if (!shared.has(participantId)) reject("this participant shared no keys");
      return [...shared.values()].flatMap((shares) => shares.filter((share) => share.to === participantId));
    },

    submitMasked(message) {
      expect("masking");
      if (message.roundId !== roundId) reject("masked input for another round");
      if (!shared.has(message.from)) reject("sender did not share keys this round");
      if (masked.has(message.from)) reject("masked input already received from this participant (replay)");
      if (!(message.masked instanceof Uint32Array) || message.masked.length !== vectorLength) reject(`masked input must be ${vectorLength} values in Z/2^32`);
      masked.set(message.from, message.masked);
      bytes += message.masked.byteLength;
    },

    closeMasking() {
      expect("masking");
      if (masked.size < threshold) return fail(`${masked.size} masked inputs arrived; the threshold is ${threshold}`);
      const survivors = [...masked.keys()];
      const dropped = [...shared.keys()].filter((id) => !masked.has(id));
      unmaskRequest = { roundId, survivors, dropped };
      stage = "unmasking";
      return unmaskRequest;
    },

    submitUnmasking(message) {
      expect("unmasking");
      if (message.roundId !== roundId) reject("unmasking response for another round");
      if (!masked.has(message.from)) reject("only survivors answer the unmasking request");
      if (responses.has(message.from)) reject("unmasking response already received (replay)");
      const request = unmaskRequest!;
      const selfFor = new Set(message.selfMaskShares.map((item) => item.of));
      const keyFor = new Set(message.maskKeyShares.map((item) => item.of));
      if (selfFor.size !== request.survivors.length || request.survivors.some((id) => !selfFor.has(id))) reject("one self-mask share per survivor is expected");
      if (keyFor.size !== request.dropped.length || request.dropped.some((id) => !keyFor.has(id))) reject("one mask-key share per dropped participant is expected");
      const from = indexOf(message.from);
      if ([...message.selfMaskShares, ...message.maskKeyShares].some((item) => item.share.x !== from)) reject("shares must be at the sender's own index");
      responses.set(message.from, message);
      bytes += (message.selfMaskShares.length + message.maskKeyShares.length) * 70;
    },

    finish() {
      expect("unmasking");
      const request = unmaskRequest!;
      if (responses.size < threshold) return fail(`${responses.size} survivors answered the unmasking request; the threshold is ${threshold}`);
      const chosen = [...responses.values()].slice(0, threshold);
      const collect = (pick: (response: TUnmaskResponse) => { of: string; share: TShare }[], of: string) =>
        chosen.map((response) => pick(response).find((item) => item.of === of)!.share);
      const sum = new Uint32Array(vectorLength);
      for (const id of request.survivors) addInto(sum, masked.get(id)!);
      for (const id of request.survivors) subtractInto(sum, expandMask(combineShares(collect((r) => r.selfMaskShares, id)), vectorLength));
      // A participant that shared keys but sent no masked input left its pairwise masks in the others'
      // inputs: rebuild its mask key and take them out.
      for (const droppedId of request.dropped) {
        const droppedKey = combineShares(collect((r) => r.maskKeyShares, droppedId));
        const droppedIndex = indexOf(droppedId);
        for (const survivorId of request.survivors) {
          const survivor = roster!.entries.find((entry) => entry.participantId === survivorId)!;
          const seed = agreeKey({ privateKey: droppedKey, peerPublicKey: survivor.sPublicKey, roundId, purpose: "pairwise-mask" });
          // The survivor applied this mask with its own sign; remove it with the opposite one.
          const { mask, sign } = pairwiseMask({ ownIndex: survivor.index, peerIndex: droppedIndex, seed, length: vectorLength });
          if (sign === 1) subtractInto(sum, mask);
          else addInto(sum, mask);
        }
      }
      stage = "done";
      return { sum, survivors: request.survivors, dropped: request.dropped };
    },
  };
}
