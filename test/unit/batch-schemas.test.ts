// The heart-rate fast path (parseHeartRateBatch, parseHeartRateUpload) against the zod schemas it
// stands in for: whatever it passes through untouched, the schema accepts too, with the same result;
// whatever it does not, the schema decides, so the errors stay the schema's.
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { parseHeartRateBatch, parseHeartRateUpload, ZHeartRateBatchSchema, ZHeartRateUploadSchema } from "@/lib/ingest/batch-schemas";
import { createRng, type TRng } from "@/lib/sim/rng";

type TBody = Record<string, unknown>;

// A field as an array to mutate (a copy), whatever an earlier mutation left there.
const samplesOf = (value: unknown): unknown[] => (Array.isArray(value) ? [...(value as unknown[])] : [70]);

const validBatch = (seq: number, samples = 60): TBody => ({
  seq,
  startedAt: new Date(Date.UTC(2026, 10, 28, 12, seq)).toISOString(),
  intervalMs: 1000,
  bpm: Array.from({ length: samples }, (_, index) => 60 + (index % 30)),
  activity: Array.from({ length: samples }, (_, index) => index * 3),
});

// Each replaces one field (or the whole body) with something at or just past an edge of the rules.
const batchMutations: ((batch: TBody, rng: TRng) => unknown)[] = [
  (batch, rng) => ({ ...batch, seq: rng.pick([-1, 0, 1.5, "1", 2_147_483_647, 2_147_483_648, Number.NaN, null, -0]) }),
  (batch) => {
    const { seq: _seq, ...rest } = batch;
    return rest;
  },
  (batch, rng) => ({
    ...batch,
    startedAt: rng.pick(["2026-11-28T12:00:00Z", "2026-11-28T12:00:00.123+01:00", "2026-13-01T00:00:00Z", "2026-11-28 12:00:00Z", "2026-11-28T12:00:00", "", 1_764_331_200_000, null]),
  }),
  (batch, rng) => ({ ...batch, intervalMs: rng.pick([249, 250, 60_000, 60_001, 1000.5, "1000", undefined]) }),
  (batch, rng) => {
    const bpm = samplesOf(batch.bpm);
    bpm[rng.int(0, bpm.length - 1)] = rng.pick([0, 24, 25, 250, 251, 70.5, "70", null, undefined, -1, Number.POSITIVE_INFINITY]);
    return { ...batch, bpm };
  },
  (batch, rng) => ({ ...batch, bpm: rng.pick([[], [70], Array(3_600).fill(70), Array(3_601).fill(70), "70", { 0: 70 }, null]) }),
  (batch, rng) => {
    const activity = samplesOf(batch.activity);
    activity[rng.int(0, activity.length - 1)] = rng.pick([-1, 0, 10_000, 10_001, 2.5, "3", null]);
    return { ...batch, activity };
  },
  (batch, rng) => ({ ...batch, activity: rng.pick([undefined, null, [], samplesOf(batch.activity).slice(1), [...samplesOf(batch.activity), 1], "x"]) }),
  (batch) => {
    const { activity: _activity, ...rest } = batch;
    return rest;
  },
  (batch, rng) => ({ ...batch, [rng.pick(["extra", "bpm2", "__proto__x", "Seq"])]: 1 }),
  (batch, rng) => rng.pick([null, [], [batch], "batch", 42, Object.assign(Object.create(null) as object, batch)]),
];

function mutateBatch(rng: TRng, batch: TBody): unknown {
  let body: unknown = batch;
  for (let count = rng.int(0, 2); count > 0 && typeof body === "object" && body !== null && !Array.isArray(body); count -= 1) {
    body = rng.pick(batchMutations)(body as TBody, rng);
  }
  return body;
}

/** The property: a body passed through untouched is one the schema accepts, as the same data; else the two agree. */
function expectAgreement<T>(body: unknown, fast: (value: unknown) => T, schema: { safeParse(value: unknown): { success: boolean; data?: unknown; error?: ZodError } }) {
  const reference = schema.safeParse(body);
  let result: T | undefined;
  let thrown: unknown;
  try {
    result = fast(body);
  } catch (error) {
    thrown = error;
  }
  if (reference.success) {
    expect(thrown).toBeUndefined();
    expect(result).toEqual(reference.data);
  } else {
    expect(thrown).toBeInstanceOf(ZodError);
    expect((thrown as ZodError).issues).toEqual(reference.error!.issues);
  }
  return { passedThrough: result === body, accepted: reference.success };
}

describe("heart-rate batch fast path", () => {
  it("passes a valid batch through as it came (no copy), with or without activity", () => {
    const batch = validBatch(1);
    expect(parseHeartRateBatch(batch)).toBe(batch);
    const { activity: _activity, ...withoutActivity } = batch;
    expect(parseHeartRateBatch(withoutActivity)).toBe(withoutActivity);
    const upload = { batches: [validBatch(1, 10), validBatch(2, 10)] };
    expect(parseHeartRateUpload(upload)).toBe(upload);
  });

  it("agrees with ZHeartRateBatchSchema on 3,000 edge-case batches", () => {
    const rng = createRng("batch-fast-path");
    let passedThrough = 0;
    let refused = 0;
    for (let round = 0; round < 3_000; round += 1) {
      const outcome = expectAgreement(mutateBatch(rng, validBatch(rng.int(0, 100), rng.int(1, 90))), parseHeartRateBatch, ZHeartRateBatchSchema);
      if (outcome.passedThrough) passedThrough += 1;
      if (!outcome.accepted) refused += 1;
    }
    // Both sides of the property were exercised.
    expect(passedThrough).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(1_000);
  });

  it("agrees with ZHeartRateUploadSchema on 1,000 edge-case uploads", () => {
    const rng = createRng("upload-fast-path");
    const uploadMutations: ((batches: unknown[]) => unknown)[] = [
      (batches) => ({ batches }),
      (batches) => ({ batches: [...batches, batches[0]] }),
      (batches) => ({ batches: batches.map((batch) => mutateBatch(rng, batch as TBody)) }),
      (batches) => ({ batches, extra: true }),
      () => ({ batches: [] }),
      () => ({ batches: Array.from({ length: 361 }, (_, seq) => validBatch(seq, 1)) }),
      () => ({ batches: Array.from({ length: 360 }, (_, seq) => validBatch(seq, 10)) }),
      () => ({ batches: Array.from({ length: 61 }, (_, seq) => validBatch(seq, 60)) }),
      (batches) => ({ batches: batches[0] }),
      (batches) => batches,
    ];
    let passedThrough = 0;
    for (let round = 0; round < 1_000; round += 1) {
      const batches = Array.from({ length: rng.int(1, 12) }, (_, index) => validBatch(index, rng.int(1, 60)));
      if (expectAgreement(rng.pick(uploadMutations)(batches), parseHeartRateUpload, ZHeartRateUploadSchema).passedThrough) passedThrough += 1;
    }
    expect(passedThrough).toBeGreaterThan(100);
  });
});
