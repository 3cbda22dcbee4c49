-- compact_heart_rate_storage
-- Heart rate moves from one row per batch (int2[] arrays, three indexes) plus per-minute rollups to
-- narrow staged batches that the ingest compactor folds into deflated per-device hourly chunks.
-- Existing batches are moved into the staging table (same (deviceId, seq) keys, so retries of them
-- are still recognised); the running server compacts them in bounded transactions. The per-minute
-- rollups are dropped: the reader now computes minutes from the samples themselves.

-- CreateTable
CREATE TABLE "HeartRateStagedBatch" (
    "deviceId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "patientId" UUID NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "intervalMs" INTEGER NOT NULL,
    "bpm" BYTEA NOT NULL,
    "activity" BYTEA NOT NULL,

    CONSTRAINT "HeartRateStagedBatch_pkey" PRIMARY KEY ("deviceId","seq")
);

-- CreateTable
CREATE TABLE "HeartRateChunk" (
    "patientId" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "deviceId" UUID NOT NULL,
    "lastAt" TIMESTAMPTZ(3) NOT NULL,
    "seqMin" INTEGER NOT NULL,
    "seqMax" INTEGER NOT NULL,
    "batches" INTEGER NOT NULL,
    "samples" INTEGER NOT NULL,
    "readings" INTEGER NOT NULL,
    "sumBpm" INTEGER NOT NULL,
    "minBpm" SMALLINT NOT NULL,
    "maxBpm" SMALLINT NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "HeartRateChunk_pkey" PRIMARY KEY ("patientId","hour","deviceId")
);

-- The chunk blob is already deflated: PostgreSQL's own TOAST compression would only cost CPU.
ALTER TABLE "HeartRateChunk" ALTER COLUMN "data" SET STORAGE EXTERNAL;

-- CreateIndex
CREATE INDEX "HeartRateChunk_deviceId_seqMax_idx" ON "HeartRateChunk"("deviceId", "seqMax");

-- AddForeignKey
ALTER TABLE "HeartRateStagedBatch" ADD CONSTRAINT "HeartRateStagedBatch_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HeartRateStagedBatch" ADD CONSTRAINT "HeartRateStagedBatch_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HeartRateChunk" ADD CONSTRAINT "HeartRateChunk_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HeartRateChunk" ADD CONSTRAINT "HeartRateChunk_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Move existing batches into staging: bpm as one byte per sample (valid values are 0 or 25-250),
-- activity as two little-endian bytes per sample (0-10,000), in sample order.
INSERT INTO "HeartRateStagedBatch" ("deviceId", "seq", "patientId", "startedAt", "intervalMs", "bpm", "activity")
SELECT b."deviceId", b."seq", b."patientId", b."startedAt", b."intervalMs",
       (SELECT decode(coalesce(string_agg(lpad(to_hex(v::int), 2, '0'), '' ORDER BY i), ''), 'hex')
        FROM unnest(b."bpm") WITH ORDINALITY AS u(v, i)),
       (SELECT decode(coalesce(string_agg(lpad(to_hex(v::int & 255), 2, '0') || lpad(to_hex(v::int >> 8), 2, '0'), '' ORDER BY i), ''), 'hex')
        FROM unnest(b."activity") WITH ORDINALITY AS u(v, i))
FROM "HeartRateBatch" b;

-- DropForeignKey
ALTER TABLE "HeartRateBatch" DROP CONSTRAINT "HeartRateBatch_deviceId_fkey";

-- DropForeignKey
ALTER TABLE "HeartRateBatch" DROP CONSTRAINT "HeartRateBatch_patientId_fkey";

-- DropForeignKey
ALTER TABLE "HeartRateMinute" DROP CONSTRAINT "HeartRateMinute_patientId_fkey";

-- DropTable
DROP TABLE "HeartRateBatch";

-- DropTable
DROP TABLE "HeartRateMinute";
