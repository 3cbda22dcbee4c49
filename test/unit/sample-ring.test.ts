import { describe, expect, it } from "vitest";
import { createSampleRing } from "@/lib/detect/service/sample-ring";

describe("sample ring (a patient's evidence window)", () => {
  it("is empty at first, then keeps the last N samples oldest first, exactly as pushed", () => {
    const ring = createSampleRing(3);
    expect(ring.read()).toEqual({ firstAtMs: null, bpm: [], activity: [] });
    ring.push(1_000, 70, 2);
    ring.push(2_000, 71.5, 3);
    expect(ring.read()).toEqual({ firstAtMs: 1_000, bpm: [70, 71.5], activity: [2, 3] });
    for (let second = 3; second <= 7; second += 1) ring.push(second * 1_000, 70 + second, second);
    expect(ring.read()).toEqual({ firstAtMs: 5_000, bpm: [75, 76, 77], activity: [5, 6, 7] });
  });
});
