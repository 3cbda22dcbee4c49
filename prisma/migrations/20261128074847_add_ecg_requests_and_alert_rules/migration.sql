-- add_ecg_requests_and_alert_rules

-- CreateEnum
CREATE TYPE "EcgRequestStatus" AS ENUM ('PENDING', 'ANSWERED', 'TIMED_OUT');

-- CreateTable
CREATE TABLE "EcgRequest" (
    "id" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "deviceId" UUID NOT NULL,
    "condition" TEXT NOT NULL,
    "status" "EcgRequestStatus" NOT NULL DEFAULT 'PENDING',
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "requestedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deadlineAt" TIMESTAMPTZ(3) NOT NULL,
    "answeredAt" TIMESTAMPTZ(3),
    "stripId" UUID,
    "result" JSONB,

    CONSTRAINT "EcgRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PatientAlertRule" (
    "patientId" UUID NOT NULL,
    "condition" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "thresholdBpm" INTEGER,
    "updatedById" UUID,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PatientAlertRule_pkey" PRIMARY KEY ("patientId","condition")
);

-- CreateIndex
CREATE INDEX "EcgRequest_status_deadlineAt_idx" ON "EcgRequest"("status", "deadlineAt");

-- CreateIndex
CREATE INDEX "EcgRequest_patientId_requestedAt_idx" ON "EcgRequest"("patientId", "requestedAt");

-- CreateIndex
CREATE INDEX "Device_lastSeenAt_idx" ON "Device"("lastSeenAt");

-- AddForeignKey
ALTER TABLE "EcgRequest" ADD CONSTRAINT "EcgRequest_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EcgRequest" ADD CONSTRAINT "EcgRequest_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PatientAlertRule" ADD CONSTRAINT "PatientAlertRule_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;
