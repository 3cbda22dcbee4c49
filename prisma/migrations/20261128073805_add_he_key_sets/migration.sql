-- add_he_key_sets

-- CreateTable
CREATE TABLE "HeKeySet" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "paramsId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "publicKey" BYTEA,
    "relinKeys" BYTEA,
    "galoisKeys" BYTEA,
    "sizeBytes" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "HeKeySet_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "HeKeySet_patientId_revokedAt_idx" ON "HeKeySet"("patientId", "revokedAt");

-- AddForeignKey
ALTER TABLE "HeKeySet" ADD CONSTRAINT "HeKeySet_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;
