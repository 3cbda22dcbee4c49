// Server-only. Byte layouts of stored heart rate.
//
// Staged batch (HeartRateStagedBatch): bpm one byte per sample (valid readings are 0 or 25-250, so a
// byte holds them exactly), activity two little-endian bytes per sample (0-10,000). Cheap to build
// in the request path and exact, so a retry compares byte for byte.
//
// Chunk (HeartRateChunk.data): all batches of one device whose first sample falls in one UTC hour,
// sorted by start time, written column-wise and deflated:
//   version byte, segment count,
//   per segment: seq, start and interval as zigzag varints of the difference to what continuing the
//                previous segment would give (usually 0: one byte each), sample count,
//   every bpm as the byte difference to the previous one (mod 256: exact, and steady heart rate
//                becomes a run of small values that deflate codes in a few bits),
//   every activity count as a zigzag varint of the difference to the previous one.
// Lossless: decoding gives back every batch exactly as it was sent (seq, start, interval, samples),
// which is what answering a retry of an already-compacted batch needs.
import { deflateRawSync, inflateRawSync, constants as zlibConstants } from "node:zlib";
import { BPM_GAP } from "./batch-schemas";

export const CHUNK_FORMAT_VERSION = 1;
export const CHUNK_MS = 3_600_000;

export type THeartRateSegment = { seq: number; startedAtMs: number; intervalMs: number; bpm: number[]; activity: number[] };

export type TChunkSummary = {
  seqMin: number;
  seqMax: number;
  batches: number;
  samples: number;
  readings: number;
  sumBpm: number;
  minBpm: number;
  maxBpm: number;
  lastAtMs: number;
};

export const chunkHourOf = (startedAtMs: number) => Math.floor(startedAtMs / CHUNK_MS) * CHUNK_MS;

export function encodeStagedBpm(bpm: number[]): string {
  return Buffer.from(bpm).toString("hex");
}

export function encodeStagedActivity(activity: number[]): string {
  const bytes = Buffer.allocUnsafe(activity.length * 2);
  for (let index = 0; index < activity.length; index += 1) bytes.writeUInt16LE(activity[index]!, index * 2);
  return bytes.toString("hex");
}

export function decodeStagedBpm(hex: string): number[] {
  return Array.from(Buffer.from(hex, "hex"));
}

export function decodeStagedActivity(hex: string): number[] {
  const bytes = Buffer.from(hex, "hex");
  const activity = new Array<number>(bytes.length >> 1);
  for (let index = 0; index < activity.length; index += 1) activity[index] = bytes.readUInt16LE(index * 2);
  return activity;
}

class ByteWriter {
  private buffer: Buffer;
  length = 0;
  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(64, capacity));
  }
  private ensure(extra: number) {
    if (this.length + extra <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
  byte(value: number) {
    this.ensure(1);
    this.buffer[this.length++] = value & 0xff;
  }
  /** Unsigned LEB128; arithmetic rather than bit operations, so values beyond 2^31 stay exact. */
  uvarint(value: number) {
    this.ensure(8);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.length++] = rest;
  }
  svarint(value: number) {
    this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }
  bytes() {
    return this.buffer.subarray(0, this.length);
  }
}

class ByteReader {
  offset = 0;
  constructor(private readonly buffer: Buffer) {}
  byte(): number {
    if (this.offset >= this.buffer.length) throw new Error("heart-rate chunk is truncated");
    return this.buffer[this.offset++]!;
  }
  uvarint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  }
  svarint(): number {
    const raw = this.uvarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }
}

const bySegmentOrder = (left: THeartRateSegment, right: THeartRateSegment) => left.startedAtMs - right.startedAtMs || left.seq - right.seq;

/** Deflated chunk bytes for the segments of one device-hour (any order; stored sorted by start). */
export function encodeHeartRateChunk(segments: THeartRateSegment[], hourMs: number): Buffer {
  const sorted = [...segments].sort(bySegmentOrder);
  const samples = sorted.reduce((sum, segment) => sum + segment.bpm.length, 0);
  const writer = new ByteWriter(16 + sorted.length * 8 + samples * 3);
  writer.byte(CHUNK_FORMAT_VERSION);
  writer.uvarint(sorted.length);
  let previousSeq = 0;
  let expectedMs = hourMs;
  let previousIntervalMs = 1_000;
  for (const segment of sorted) {
    writer.svarint(segment.seq - previousSeq);
    writer.svarint(segment.startedAtMs - expectedMs);
    writer.svarint(segment.intervalMs - previousIntervalMs);
    writer.uvarint(segment.bpm.length);
    previousSeq = segment.seq;
    previousIntervalMs = segment.intervalMs;
    expectedMs = segment.startedAtMs + segment.bpm.length * segment.intervalMs;
  }
  let previousBpm = 0;
  for (const segment of sorted) {
    for (const bpm of segment.bpm) {
      writer.byte(bpm - previousBpm);
      previousBpm = bpm;
    }
  }
  let previousActivity = 0;
  for (const segment of sorted) {
    for (const activity of segment.activity) {
      writer.svarint(activity - previousActivity);
      previousActivity = activity;
    }
  }
  return deflateRawSync(writer.bytes(), { level: zlibConstants.Z_BEST_COMPRESSION });
}

export function decodeHeartRateChunk(data: Buffer, hourMs: number): THeartRateSegment[] {
  const reader = new ByteReader(inflateRawSync(data));
  const version = reader.byte();
  if (version !== CHUNK_FORMAT_VERSION) throw new Error(`unknown heart-rate chunk format ${version}`);
  const count = reader.uvarint();
  const segments: THeartRateSegment[] = new Array(count);
  let previousSeq = 0;
  let expectedMs = hourMs;
  let previousIntervalMs = 1_000;
  for (let index = 0; index < count; index += 1) {
    const seq = previousSeq + reader.svarint();
    const startedAtMs = expectedMs + reader.svarint();
    const intervalMs = previousIntervalMs + reader.svarint();
    const samples = reader.uvarint();
    segments[index] = { seq, startedAtMs, intervalMs, bpm: new Array<number>(samples), activity: new Array<number>(samples) };
    previousSeq = seq;
    previousIntervalMs = intervalMs;
    expectedMs = startedAtMs + samples * intervalMs;
  }
  let previousBpm = 0;
  for (const segment of segments) {
    for (let index = 0; index < segment.bpm.length; index += 1) {
      previousBpm = (previousBpm + reader.byte()) & 0xff;
      segment.bpm[index] = previousBpm;
    }
  }
  let previousActivity = 0;
  for (const segment of segments) {
    for (let index = 0; index < segment.activity.length; index += 1) {
      previousActivity += reader.svarint();
      segment.activity[index] = previousActivity;
    }
  }
  return segments;
}

/** The chunk row's columns besides the blob: seq range (for finding retries) and the hourly rollup. */
export function summarizeHeartRateChunk(segments: THeartRateSegment[]): TChunkSummary {
  const summary: TChunkSummary = {
    seqMin: Number.POSITIVE_INFINITY,
    seqMax: Number.NEGATIVE_INFINITY,
    batches: segments.length,
    samples: 0,
    readings: 0,
    sumBpm: 0,
    minBpm: 0,
    maxBpm: 0,
    lastAtMs: Number.NEGATIVE_INFINITY,
  };
  let minBpm = Number.POSITIVE_INFINITY;
  let maxBpm = Number.NEGATIVE_INFINITY;
  for (const segment of segments) {
    summary.seqMin = Math.min(summary.seqMin, segment.seq);
    summary.seqMax = Math.max(summary.seqMax, segment.seq);
    summary.samples += segment.bpm.length;
    summary.lastAtMs = Math.max(summary.lastAtMs, segment.startedAtMs + (segment.bpm.length - 1) * segment.intervalMs);
    for (const bpm of segment.bpm) {
      if (bpm === BPM_GAP) continue;
      summary.readings += 1;
      summary.sumBpm += bpm;
      if (bpm < minBpm) minBpm = bpm;
      if (bpm > maxBpm) maxBpm = bpm;
    }
  }
  if (summary.readings > 0) {
    summary.minBpm = minBpm;
    summary.maxBpm = maxBpm;
  }
  return summary;
}

export function isSameSegment(left: THeartRateSegment, right: THeartRateSegment): boolean {
  return (
    left.startedAtMs === right.startedAtMs &&
    left.intervalMs === right.intervalMs &&
    sameNumbers(left.bpm, right.bpm) &&
    sameNumbers(left.activity, right.activity)
  );
}

function sameNumbers(left: number[], right: number[]): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}
