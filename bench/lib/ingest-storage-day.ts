// The storage figure of the ingest benchmark: two full days of realistic 1 Hz heart rate for a few
// patients, written the way the server writes it, measured on disk after each day.
//
// A one-minute load phase cannot show what a patient-day costs: its chunks hold a minute each, so the
// per-row overhead of an hourly chunk is spread over 60 samples instead of 3,600. So this phase, on a
// database of its own: seeds P patients with a watch, generates a day per patient with the simulator's
// heart-rate model (circadian rhythm, activity, noise, dropouts: what real watches send, not the load
// phase's sawtooth, which deflate would flatter), submits it through the production ingest writer in
// 10-sample batches in time order, runs the production compaction every simulated 5 minutes (the
// server's cadence), VACUUMs the staging table after each compaction and the chunk table every
// simulated hour (what autovacuum does on a server: staging is all dead rows after a compaction, so
// it qualifies at once), and measures every heart-rate relation (heap, maps, TOAST, indexes) after
// VACUUM ANALYZE at the end of each day.
// Steady state is the second day's growth: the first day also pays for things a patient pays once
// (the staging table's pages, the free space that the current hour's chunk rewrites cycle through).
import { generateHeartRate } from "../../lib/sim/heart-rate";
import { compactHeartRate } from "../../lib/ingest/compact-heart-rate";
import { createIngestWriter, type TIngestAck } from "../../lib/ingest/create-ingest-writer";
import { createBenchTarget, measureStorage, migrate, seedWatches, tableBytes, type TDbKind, type TStorage } from "./bench-database";

const DAY_S = 86_400;
const BATCH_SAMPLES = 10;
const COMPACT_EVERY_S = 300;

export type TStorageDay = {
  patients: number;
  samples: number;
  batches: number;
  compactions: number;
  writeMs: number;
  compactMs: number;
  /** Measured after day 1 and after day 2. */
  afterDay: [TStorage, TStorage];
  /** Growth of all heart-rate relations from day 1 to day 2, per patient: the steady-state cost of a patient-day. */
  bytesPerPatientDay: number;
  /** What a patient holds after the first day beyond that (staging pages, rewrite slack), per patient. */
  firstDayExtraPerPatient: number;
  /** The staging table's pages per patient after two days of churn (empty of live rows at the end). */
  stagingPerPatient: number;
};

const DAYS = 2;

export async function runStorageDays(options: { kind: TDbKind; serverUrl?: string; patients: number; onProgress?: (line: string) => void }): Promise<TStorageDay> {
  const target = await createBenchTarget({ kind: options.kind, serverUrl: options.serverUrl });
  try {
    const database = await target.open();
    try {
      await migrate(database);
      const devices = await seedWatches({ database, count: options.patients });
      // Three days ago, midnight UTC: inside the 7-day acceptance window, two whole calendar days.
      const dayStartMs = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000;
      const series = devices.map((_, index) =>
        generateHeartRate({ seed: `storage-day-${index}`, restingBpm: 55 + ((index * 7) % 30), ageYears: 30 + ((index * 11) % 50), startEpochMs: dayStartMs }, DAYS * DAY_S),
      );
      const writer = createIngestWriter({ database, compactEveryMs: 0 });
      const result = { samples: 0, batches: 0, compactions: 0, writeMs: 0, compactMs: 0 };
      const afterDay: TStorage[] = [];
      try {
        for (let fromS = 0; fromS < DAYS * DAY_S; fromS += COMPACT_EVERY_S) {
          const writeStart = performance.now();
          const acks: Promise<TIngestAck>[] = [];
          for (let batchS = fromS; batchS < fromS + COMPACT_EVERY_S; batchS += BATCH_SAMPLES) {
            devices.forEach((device, index) => {
              const bpm = series[index]!.bpm.slice(batchS, batchS + BATCH_SAMPLES);
              const activity = series[index]!.activity.slice(batchS, batchS + BATCH_SAMPLES);
              acks.push(
                writer.submit({
                  kind: "heart-rate",
                  deviceId: device.deviceId,
                  patientId: device.patientId,
                  seq: batchS / BATCH_SAMPLES,
                  startedAtMs: dayStartMs + batchS * 1000,
                  intervalMs: 1000,
                  bpm,
                  activity,
                }),
              );
              result.samples += bpm.length;
              result.batches += 1;
            });
          }
          for (const ack of await Promise.all(acks)) if (ack.status !== "stored") throw new Error(`storage day: batch ${ack.seq} was ${ack.status}`);
          result.writeMs += performance.now() - writeStart;
          const compactStart = performance.now();
          await compactHeartRate({ db: database.prisma });
          result.compactMs += performance.now() - compactStart;
          result.compactions += 1;
          await database.withRawConnection((connection) => connection.exec(`VACUUM "HeartRateStagedBatch"`));
          const doneS = fromS + COMPACT_EVERY_S;
          if (doneS % 3_600 === 0) {
            await database.withRawConnection((connection) => connection.exec(`VACUUM "HeartRateChunk"`));
            if (doneS % (6 * 3_600) === 0) options.onProgress?.(`  storage days: ${doneS / 3_600} h of ${options.patients} patients written and compacted`);
          }
          if (doneS % DAY_S === 0) {
            afterDay.push(
              await database.withRawConnection(async (connection) => {
                await connection.exec(`VACUUM ANALYZE "HeartRateChunk", "HeartRateStagedBatch"`);
                return measureStorage(connection);
              }),
            );
          }
        }
      } finally {
        await writer.close();
      }
      const [day1, day2] = afterDay as [TStorage, TStorage];
      const bytesPerPatientDay = (day2.totalBytes - day1.totalBytes) / options.patients;
      return {
        patients: options.patients,
        ...result,
        afterDay: [day1, day2],
        bytesPerPatientDay,
        firstDayExtraPerPatient: day1.totalBytes / options.patients - bytesPerPatientDay,
        stagingPerPatient: tableBytes(day2, "HeartRateStagedBatch") / options.patients,
      };
    } finally {
      await database.close();
    }
  } finally {
    await target.destroy();
  }
}
