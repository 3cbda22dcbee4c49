// Secure aggregation after Bonawitz et al., "Practical Secure Aggregation for Privacy-Preserving Machine
// Learning" (CCS 2017), in its honest-but-curious variant: the messages of the four rounds and the
// participant's side of them. The server (aggregator.ts) only relays and adds; it learns the sum of the
// surviving participants' inputs and nothing else about any one of them.
//
// Threat model (written down as the issue asks):
// - The server is honest-but-curious: it follows the protocol but reads everything it relays or stores.
//   Participants' inputs are hidden from it by a self mask PRG(b_u) and pairwise masks PRG(s_uv) that
//   cancel in the sum. It cannot open the relayed shares (AES-GCM under keys agreed between participants).
// - Up to n - t participants may drop out at any point; the round still completes when at least t
//   survive to the end: survivors reveal shares of each surviving participant's self-mask seed b_u and,
//   for each participant that dropped before sending its masked input, shares of its mask key s_u^SK.
//   A participant never reveals both kinds of share for the same peer (that would unmask the peer's input).
// - Fewer than t colluding parties (participants, or the server with participants) learn nothing beyond
//   the sum: t shares are needed to rebuild any seed or key. A participant refuses an unmasking request
//   whose survivor set is smaller than t, or inconsistent with what it saw, so a server cannot unmask
//   one participant by claiming everyone else dropped.
// - Not covered: an actively malicious server that sends different rosters to different participants
//   (that needs the signed "consistency check" round of the paper's malicious variant, and a PKI).
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "../../errors/app-error";
import { agreeKey, assertUsablePublicKey, generateKeyPair, type TKeyPair } from "./keys";
import { expandMask } from "./prg";
import { addInto, subtractInto } from "./ring";
import { splitSecret, type TShare } from "./shamir";

export type TAdvertisedKeys = { participantId: string; cPublicKey: Uint8Array; sPublicKey: Uint8Array };
export type TRosterEntry = TAdvertisedKeys & { index: number };
export type TRoster = { roundId: string; threshold: number; entries: TRosterEntry[] };
export type TEncryptedShare = { from: string; to: string; iv: Uint8Array; ciphertext: Uint8Array };
export type TShareKeysMessage = { roundId: string; from: string; shares: TEncryptedShare[] };
export type TMaskedInputMessage = { roundId: string; from: string; masked: Uint32Array };
export type TUnmaskRequest = { roundId: string; survivors: string[]; dropped: string[] };
export type TUnmaskResponse = { roundId: string; from: string; selfMaskShares: { of: string; share: TShare }[]; maskKeyShares: { of: string; share: TShare }[] };

const SHARE_BYTES = 66;

function refuse(message: string): never {
  throw new AppError("VALIDATION_FAILED", { message });
}

function encodeSharePair(b: TShare, s: TShare): Uint8Array {
  const out = new Uint8Array(4 + SHARE_BYTES * 2);
  new DataView(out.buffer).setUint32(0, b.x);
  out.set(b.y, 4);
  out.set(s.y, 4 + SHARE_BYTES);
  return out;
}

function decodeSharePair(bytes: Uint8Array): { b: TShare; s: TShare } {
  if (bytes.byteLength !== 4 + SHARE_BYTES * 2) refuse("malformed share payload");
  const x = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  return { b: { x, y: bytes.slice(4, 4 + SHARE_BYTES) }, s: { x, y: bytes.slice(4 + SHARE_BYTES) } };
}

const aad = (roundId: string, from: string, to: string) => Buffer.from(`${roundId}|${from}|${to}`);

/** Both ends of pair (u, v) expand the same seed; the lower index adds it, the higher subtracts it. */
export function pairwiseMask(options: { ownIndex: number; peerIndex: number; seed: Uint8Array; length: number }): { mask: Uint32Array; sign: 1 | -1 } {
  return { mask: expandMask(options.seed, options.length), sign: options.ownIndex < options.peerIndex ? 1 : -1 };
}

export function validateRoster(roster: TRoster): void {
  const ids = new Set(roster.entries.map((entry) => entry.participantId));
  const indexes = new Set(roster.entries.map((entry) => entry.index));
  if (ids.size !== roster.entries.length || indexes.size !== roster.entries.length) refuse("roster has duplicate participants");
  if (roster.entries.length < roster.threshold) refuse(`roster of ${roster.entries.length} is below the threshold ${roster.threshold}`);
  if (roster.threshold < 2) refuse("threshold must be at least 2");
  // The server drops a hospital whose keys are low-order; a roster that still carries one is refused
  // with that reason rather than failing later inside a key agreement.
  for (const entry of roster.entries) {
    assertUsablePublicKey(entry.cPublicKey, `roster cPublicKey of ${entry.participantId}`);
    assertUsablePublicKey(entry.sPublicKey, `roster sPublicKey of ${entry.participantId}`);
  }
}

export type TSecAggParticipant = {
  advertise(): TAdvertisedKeys;
  shareKeys(roster: TRoster): TShareKeysMessage;
  maskInput(received: TEncryptedShare[]): TMaskedInputMessage;
  unmask(request: TUnmaskRequest): TUnmaskResponse;
};

/** One participant's side of one round; its secrets (b_u, s_u^SK, c_u^SK) never leave it unshared. */
export function createSecAggParticipant(options: { roundId: string; participantId: string; input: Uint32Array }): TSecAggParticipant {
  const { roundId, participantId, input } = options;
  const cKeys: TKeyPair = generateKeyPair();
  const sKeys: TKeyPair = generateKeyPair();
  const selfSeed = new Uint8Array(randomBytes(32));
  let roster: TRoster | undefined;
  let me: TRosterEntry | undefined;
  /** Peers whose shares this participant received (the paper's U2), with their decrypted shares. */
  const peerShares = new Map<string, { b: TShare; s: TShare }>();
  let stage: "new" | "advertised" | "shared" | "masked" | "unmasked" = "new";

  const entryOf = (id: string) => roster?.entries.find((entry) => entry.participantId === id);
  const shareKeyWith = (peer: TRosterEntry) => agreeKey({ privateKey: cKeys.privateKey, peerPublicKey: peer.cPublicKey, roundId, purpose: "share-encryption" });

  return {
    advertise() {
      if (stage !== "new") refuse("keys already advertised");
      stage = "advertised";
      return { participantId, cPublicKey: cKeys.publicKey, sPublicKey: sKeys.publicKey };
    },

    shareKeys(received) {
      if (stage !== "advertised") refuse("not expecting a roster");
      if (received.roundId !== roundId) refuse("roster is for another round");
      validateRoster(received);
      const own = received.entries.find((entry) => entry.participantId === participantId);
      if (!own || !Buffer.from(own.cPublicKey).equals(Buffer.from(cKeys.publicKey)) || !Buffer.from(own.sPublicKey).equals(Buffer.from(sKeys.publicKey))) {
        refuse("roster does not carry this participant's keys");
      }
      roster = received;
      me = own;
      const xs = received.entries.map((entry) => entry.index);
      const bShares = splitSecret({ secret: selfSeed, threshold: received.threshold, xs });
      const sShares = splitSecret({ secret: sKeys.privateKey, threshold: received.threshold, xs });
      const shares = received.entries.map((peer, position): TEncryptedShare => {
        const iv = new Uint8Array(randomBytes(12));
        const cipher = createCipheriv("aes-256-gcm", shareKeyWith(peer), iv);
        cipher.setAAD(aad(roundId, participantId, peer.participantId));
        const body = Buffer.concat([cipher.update(encodeSharePair(bShares[position]!, sShares[position]!)), cipher.final(), cipher.getAuthTag()]);
        return { from: participantId, to: peer.participantId, iv, ciphertext: new Uint8Array(body) };
      });
      stage = "shared";
      return { roundId, from: participantId, shares };
    },

    maskInput(received) {
      if (stage !== "shared" || !roster || !me) refuse("not expecting shares");
      for (const share of received) {
        const peer = entryOf(share.from);
        if (!peer || share.to !== participantId) refuse("share from outside the roster or for someone else");
        if (peerShares.has(share.from)) refuse("a peer's shares arrived twice");
        if (share.ciphertext.byteLength < 16 || share.iv.byteLength !== 12) refuse("malformed encrypted share");
        let plain: Buffer;
        try {
          const decipher = createDecipheriv("aes-256-gcm", shareKeyWith(peer), share.iv);
          decipher.setAAD(aad(roundId, share.from, participantId));
          decipher.setAuthTag(share.ciphertext.subarray(share.ciphertext.byteLength - 16));
          plain = Buffer.concat([decipher.update(share.ciphertext.subarray(0, share.ciphertext.byteLength - 16)), decipher.final()]);
        } catch {
          refuse("an encrypted share does not open");
        }
        const pair = decodeSharePair(new Uint8Array(plain));
        if (pair.b.x !== me.index) refuse("a share is for another index");
        peerShares.set(share.from, pair);
      }
      if (!peerShares.has(participantId)) refuse("own shares missing from the relay");
      if (peerShares.size < roster.threshold) refuse("fewer peers than the threshold shared their keys");
      // y_u = x_u + PRG(b_u) + sum over peers in U2 of +-PRG(s_uv).
      const masked = Uint32Array.from(input);
      addInto(masked, expandMask(selfSeed, input.length));
      for (const peerId of peerShares.keys()) {
        if (peerId === participantId) continue;
        const peer = entryOf(peerId)!;
        const seed = agreeKey({ privateKey: sKeys.privateKey, peerPublicKey: peer.sPublicKey, roundId, purpose: "pairwise-mask" });
        const { mask, sign } = pairwiseMask({ ownIndex: me.index, peerIndex: peer.index, seed, length: input.length });
        if (sign === 1) addInto(masked, mask);
        else subtractInto(masked, mask);
      }
      stage = "masked";
      return { roundId, from: participantId, masked };
    },

    unmask(request) {
      if (stage !== "masked" || !roster) refuse("not expecting an unmasking request");
      if (request.roundId !== roundId) refuse("unmasking request is for another round");
      const survivors = new Set(request.survivors);
      const dropped = new Set(request.dropped);
      // The checks that keep a curious server from unmasking anyone: enough survivors, both sets within
      // the peers that shared keys, no peer in both, and together exactly those peers.
      if (survivors.size !== request.survivors.length || dropped.size !== request.dropped.length) refuse("duplicate ids in the unmasking request");
      if (!survivors.has(participantId)) refuse("this participant is not among the survivors");
      if (survivors.size < roster.threshold) refuse(`only ${survivors.size} survivors; at least ${roster.threshold} are needed to unmask`);
      for (const id of [...survivors, ...dropped]) if (!peerShares.has(id)) refuse("unmasking request names a peer that shared no keys");
      for (const id of survivors) if (dropped.has(id)) refuse("a peer cannot be both a survivor and dropped");
      if (survivors.size + dropped.size !== peerShares.size) refuse("unmasking request does not account for every peer");
      stage = "unmasked";
      return {
        roundId,
        from: participantId,
        selfMaskShares: [...survivors].map((of) => ({ of, share: peerShares.get(of)!.b })),
        maskKeyShares: [...dropped].map((of) => ({ of, share: peerShares.get(of)!.s })),
      };
    },
  };
}
