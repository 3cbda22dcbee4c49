// Secure aggregation: the server's result is the exact quantized sum, with dropouts before and after
// the masked upload; it fails cleanly below the threshold; what it stores looks uniform; and the
// protocol refuses to unmask a participant on its own.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  addInto,
  assertUsablePublicKey,
  combineShares,
  createSecAggAggregator,
  createSecAggParticipant,
  dequantizeVector,
  getFixedPointScale,
  quantizeVector,
  splitSecret,
  type TSecAggParticipant,
} from "@/lib/fl/secagg";
import { createRng } from "@/lib/sim/rng";
import { BYTE_CHI_SQUARE_1E9, byteChiSquare, signedCorrelation } from "../helpers/uniformity";

const LENGTH = 2_000;
const CLIP = 0.5;

function makeUpdates(count: number, seed: number, length = LENGTH) {
  const rng = createRng(seed);
  const scale = getFixedPointScale({ clip: CLIP, participants: count });
  const floats = Array.from({ length: count }, () => Float64Array.from({ length }, () => (rng.next() - 0.5) * 0.8));
  return { scale, floats, quantized: floats.map((values) => quantizeVector(values, { clip: CLIP, scale })) };
}

const plainSum = (vectors: Uint32Array[]) => {
  const sum = new Uint32Array(vectors[0]!.length);
  for (const vector of vectors) addInto(sum, vector);
  return sum;
};

type TDropAt = "before-sharing" | "before-masking" | "before-unmasking";

/** Runs a whole round in memory, the server relaying every message; `drops` says who disappears when. */
function runRound(options: { inputs: Uint32Array[]; threshold: number; drops?: Record<number, TDropAt> }) {
  const roundId = `round-${randomBytes(4).toString("hex")}`;
  const drops = options.drops ?? {};
  const ids = options.inputs.map((_, index) => `hospital-${index}`);
  const participants = new Map<string, TSecAggParticipant>(ids.map((id, index) => [id, createSecAggParticipant({ roundId, participantId: id, input: options.inputs[index]! })]));
  const server = createSecAggAggregator({ roundId, threshold: options.threshold, vectorLength: options.inputs[0]!.length });
  const alive = (stage: TDropAt) => ids.filter((id, index) => {
    const at = drops[index];
    const order: TDropAt[] = ["before-sharing", "before-masking", "before-unmasking"];
    return at === undefined || order.indexOf(at) > order.indexOf(stage);
  });
  for (const id of ids) server.advertise(participants.get(id)!.advertise());
  const roster = server.closeAdvertising();
  if (!roster) return { server, result: null, roundId, participants };
  for (const id of alive("before-sharing")) server.submitShares(participants.get(id)!.shareKeys(roster));
  if (!server.closeSharing()) return { server, result: null, roundId, participants };
  for (const id of alive("before-masking")) server.submitMasked(participants.get(id)!.maskInput(server.sharesFor(id)));
  const request = server.closeMasking();
  if (!request) return { server, result: null, roundId, participants };
  for (const id of alive("before-unmasking")) server.submitUnmasking(participants.get(id)!.unmask(request));
  return { server, result: server.finish(), roundId, participants, request };
}

describe("secure aggregation", () => {
  it("with 5 participants, the unmasked aggregate equals the plaintext quantized sum bit for bit", () => {
    const { quantized, floats, scale } = makeUpdates(5, 1);
    const { result } = runRound({ inputs: quantized, threshold: 3 });
    expect(result).not.toBeNull();
    expect(Buffer.from(result!.sum.buffer).equals(Buffer.from(plainSum(quantized).buffer))).toBe(true);
    // And it decodes to the float sum within the quantization step.
    const decoded = dequantizeVector(result!.sum, scale);
    const expected = floats.reduce((sum, values) => sum.map((value, index) => value + values[index]!), new Float64Array(LENGTH));
    decoded.forEach((value, index) => expect(Math.abs(value - expected[index]!)).toBeLessThanOrEqual((5 * 0.5) / scale));
  });

  it("stays exact when one participant drops after uploading its masked input", () => {
    const { quantized } = makeUpdates(5, 2);
    const { result } = runRound({ inputs: quantized, threshold: 3, drops: { 4: "before-unmasking" } });
    expect(result!.survivors).toHaveLength(5);
    expect(Buffer.from(result!.sum.buffer).equals(Buffer.from(plainSum(quantized).buffer))).toBe(true);
  });

  it("sums the survivors exactly when one participant drops before its masked upload (its pairwise masks are removed)", () => {
    const { quantized } = makeUpdates(5, 3);
    const { result } = runRound({ inputs: quantized, threshold: 3, drops: { 2: "before-masking" } });
    expect(result!.dropped).toEqual(["hospital-2"]);
    const survivors = quantized.filter((_, index) => index !== 2);
    expect(Buffer.from(result!.sum.buffer).equals(Buffer.from(plainSum(survivors).buffer))).toBe(true);
  });

  it("tolerates n - t dropouts at different steps", () => {
    const { quantized } = makeUpdates(6, 4);
    const { result } = runRound({ inputs: quantized, threshold: 3, drops: { 0: "before-sharing", 3: "before-masking", 5: "before-unmasking" } });
    const survivors = quantized.filter((_, index) => index !== 0 && index !== 3);
    expect(Buffer.from(result!.sum.buffer).equals(Buffer.from(plainSum(survivors).buffer))).toBe(true);
  });

  it("fails cleanly, publishing nothing, with fewer than t survivors", () => {
    const { quantized } = makeUpdates(5, 5);
    const atMasking = runRound({ inputs: quantized, threshold: 4, drops: { 0: "before-masking", 1: "before-masking" } });
    expect(atMasking.result).toBeNull();
    expect(atMasking.server.stage()).toBe("failed");
    expect(atMasking.server.failure()).toMatch(/3 masked inputs.*threshold is 4/);
    const atUnmasking = runRound({ inputs: quantized, threshold: 4, drops: { 0: "before-unmasking", 1: "before-unmasking" } });
    expect(atUnmasking.result).toBeNull();
    expect(atUnmasking.server.failure()).toMatch(/3 survivors answered/);
    expect(() => atUnmasking.server.finish()).toThrow(/failed/);
  });

  it("stores masked vectors that look uniform and do not correlate with the update", () => {
    // A very structured update (a ramp) must still come out as uniform bytes once masked.
    const length = 50_000;
    const ramp = quantizeVector(Float64Array.from({ length }, (_, index) => ((index % 100) / 100 - 0.5) * 0.4), { clip: CLIP, scale: getFixedPointScale({ clip: CLIP, participants: 3 }) });
    const roundId = "uniformity";
    const ids = ["a", "b", "c"];
    const inputs = [ramp, new Uint32Array(length), new Uint32Array(length)];
    const participants = ids.map((id, index) => createSecAggParticipant({ roundId, participantId: id, input: inputs[index]! }));
    const server = createSecAggAggregator({ roundId, threshold: 2, vectorLength: length });
    participants.forEach((participant) => server.advertise(participant.advertise()));
    const roster = server.closeAdvertising()!;
    participants.forEach((participant) => server.submitShares(participant.shareKeys(roster)));
    server.closeSharing();
    const masked = participants[0]!.maskInput(server.sharesFor("a")).masked;

    // 255 degrees of freedom: uniform bytes exceed 415 with probability about 1e-9
    // (Wilson-Hilferty), so the masks being random cannot fail this test; a structured vector scores far higher.
    expect(byteChiSquare(masked)).toBeLessThan(BYTE_CHI_SQUARE_1E9);
    expect(byteChiSquare(ramp)).toBeGreaterThan(BYTE_CHI_SQUARE_1E9);
    expect(Math.abs(signedCorrelation(ramp, masked))).toBeLessThan(0.03);
  });

  it("refuses to unmask one participant on its own", () => {
    const { quantized } = makeUpdates(4, 6);
    const roundId = "alone";
    const ids = ["a", "b", "c", "d"];
    const participants = ids.map((id, index) => createSecAggParticipant({ roundId, participantId: id, input: quantized[index]! }));
    const server = createSecAggAggregator({ roundId, threshold: 3, vectorLength: LENGTH });
    participants.forEach((participant) => server.advertise(participant.advertise()));
    const roster = server.closeAdvertising()!;
    participants.forEach((participant) => server.submitShares(participant.shareKeys(roster)));
    server.closeSharing();
    participants.forEach((participant, index) => server.submitMasked(participant.maskInput(server.sharesFor(ids[index]!))));
    // A curious server claims only "b" survived (to strip b's self mask alone) and the rest dropped.
    expect(() => participants[1]!.unmask({ roundId, survivors: ["b"], dropped: ["a", "c", "d"] })).toThrow(/at least 3 are needed/);
    // Asking for both kinds of share for the same peer is refused.
    expect(() => participants[1]!.unmask({ roundId, survivors: ["a", "b", "c", "d"], dropped: ["a"] })).toThrow(/both a survivor and dropped/);
    // A request that hides a peer from both sets is refused too.
    expect(() => participants[1]!.unmask({ roundId, survivors: ["a", "b", "c"], dropped: [] })).toThrow(/every peer/);
    // A participant answers one unmasking request per round: no second request can get the other kind.
    participants[1]!.unmask({ roundId, survivors: ["a", "b", "c"], dropped: ["d"] });
    expect(() => participants[1]!.unmask({ roundId, survivors: ["a", "b", "c", "d"], dropped: [] })).toThrow(/not expecting/);
  });

  it("rejects replayed, wrong-round and wrong-length messages, and tampered shares", () => {
    const { quantized } = makeUpdates(3, 7);
    const roundId = "bad-input";
    const ids = ["a", "b", "c"];
    const participants = ids.map((id, index) => createSecAggParticipant({ roundId, participantId: id, input: quantized[index]! }));
    const server = createSecAggAggregator({ roundId, threshold: 2, vectorLength: LENGTH });
    const advert = participants[0]!.advertise();
    server.advertise(advert);
    expect(() => server.advertise(advert)).toThrow(/already advertised/);
    server.advertise(participants[1]!.advertise());
    server.advertise(participants[2]!.advertise());
    const roster = server.closeAdvertising()!;
    expect(() => participants[0]!.shareKeys({ ...roster, roundId: "other" })).toThrow(/another round/);
    const sharesA = participants[0]!.shareKeys(roster);
    server.submitShares(sharesA);
    expect(() => server.submitShares(sharesA)).toThrow(/replay/);
    expect(() => server.submitShares({ ...participants[1]!.shareKeys(roster), roundId: "other" })).toThrow(/another round/);
    server.submitShares(participants[2]!.shareKeys(roster));
    expect(server.closeSharing()).toBe(true);
    // "b" never got its shares in (its message was for another round): it is simply not in the round.
    expect(() => server.sharesFor("b")).toThrow(/shared no keys/);
    const forA = server.sharesFor("a");
    const tampered = forA.map((share, index) => (index === 0 ? { ...share, ciphertext: Uint8Array.from(share.ciphertext, (byte, at) => (at === 5 ? byte ^ 1 : byte)) } : share));
    expect(() => participants[0]!.maskInput(tampered)).toThrow(/does not open/);
    expect(() => server.submitMasked({ roundId, from: "c", masked: new Uint32Array(LENGTH - 1) })).toThrow(/2000 values/);
    expect(() => server.submitMasked({ roundId, from: "b", masked: new Uint32Array(LENGTH) })).toThrow(/did not share keys/);
  });

  it("refuses every low-order X25519 key (RFC 7748 section 6.1), in any encoding, and keeps the round for the others", () => {
    const p = (1n << 255n) - 19n;
    const encode = (u: bigint) => Uint8Array.from({ length: 32 }, (_, index) => Number((u >> BigInt(8 * index)) & 0xffn));
    // u = 0, u = 1, the two points of order 8, and the non-canonical encodings of the low-order values.
    const lowOrder = [0n, 1n, 325606250916557431795983626356110631294008115727848805560023387167927233504n, 39382357235489614581723060781553021112529911719440698176882885853963445705823n, p - 1n, p, p + 1n];
    // X25519 ignores the top bit (RFC 7748 section 5): setting it must not sneak a point past the check.
    const encodings = lowOrder.flatMap((u) => [encode(u), encode(u | (1n << 255n))]);
    const { quantized } = makeUpdates(3, 11);
    const roundId = "low-order";
    const participants = ["a", "b", "c"].map((id, index) => createSecAggParticipant({ roundId, participantId: id, input: quantized[index]! }));
    const server = createSecAggAggregator({ roundId, threshold: 2, vectorLength: LENGTH });
    const good = participants[2]!.advertise();
    for (const bad of encodings) {
      expect(() => assertUsablePublicKey(bad)).toThrow(/low-order/);
      expect(() => server.advertise({ participantId: "c", cPublicKey: bad, sPublicKey: good.sPublicKey })).toThrow(/cPublicKey.*low-order/);
      expect(() => server.advertise({ participantId: "c", cPublicKey: good.cPublicKey, sPublicKey: bad })).toThrow(/sPublicKey.*low-order/);
    }
    expect(() => assertUsablePublicKey(good.cPublicKey)).not.toThrow();
    // "c" was refused, so it never entered the roster: the others' round goes on without it.
    const ids = ["a", "b"];
    for (const index of [0, 1]) server.advertise(participants[index]!.advertise());
    const roster = server.closeAdvertising()!;
    expect(roster.entries.map((entry) => entry.participantId)).toEqual(ids);
    // A roster that still carries a low-order key (a faulty server) is refused by name, before any agreement.
    const poisoned = { ...roster, entries: [...roster.entries, { participantId: "c", cPublicKey: encodings[0]!, sPublicKey: good.sPublicKey, index: 3 }] };
    expect(() => participants[0]!.shareKeys(poisoned)).toThrow(/roster cPublicKey of c.*low-order/);
    for (const index of [0, 1]) server.submitShares(participants[index]!.shareKeys(roster));
    expect(server.closeSharing()).toBe(true);
    for (const index of [0, 1]) server.submitMasked(participants[index]!.maskInput(server.sharesFor(ids[index]!)));
    const request = server.closeMasking()!;
    for (const index of [0, 1]) server.submitUnmasking(participants[index]!.unmask(request));
    expect(Array.from(server.finish()!.sum)).toEqual(Array.from(plainSum([quantized[0]!, quantized[1]!])));
  });
});

describe("Shamir sharing", () => {
  it("rebuilds the secret from any t shares and not from t - 1", () => {
    const secret = new Uint8Array(randomBytes(32));
    const shares = splitSecret({ secret, threshold: 3, xs: [1, 2, 3, 4, 5] });
    for (const pick of [[0, 1, 2], [1, 3, 4], [0, 2, 4]]) {
      expect(Buffer.from(combineShares(pick.map((index) => shares[index]!))).equals(Buffer.from(secret))).toBe(true);
    }
    const tooFew = (() => {
      try {
        return combineShares([shares[0]!, shares[1]!]);
      } catch {
        return null;
      }
    })();
    expect(tooFew === null || !Buffer.from(tooFew).equals(Buffer.from(secret))).toBe(true);
  });
});
