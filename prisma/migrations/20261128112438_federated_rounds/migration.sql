-- federated_rounds

-- CreateEnum
CREATE TYPE "RoundStage" AS ENUM ('ADVERTISING', 'SHARING', 'MASKING', 'UNMASKING', 'DONE', 'FAILED');

-- CreateEnum
CREATE TYPE "ParticipantStatus" AS ENUM ('SELECTED', 'ADVERTISED', 'SHARED', 'UPLOADED', 'UNMASKED', 'DROPPED');

-- DropForeignKey
ALTER TABLE "FederatedRound" DROP CONSTRAINT "FederatedRound_baseVersionId_fkey";

-- AlterTable
ALTER TABLE "FederatedParticipant" ADD COLUMN     "advertisedAt" TIMESTAMPTZ(3),
ADD COLUMN     "cPublicKey" BYTEA,
ADD COLUMN     "credentialId" UUID NOT NULL,
ADD COLUMN     "dropReason" TEXT,
ADD COLUMN     "masked" BYTEA,
ADD COLUMN     "rosterIndex" INTEGER,
ADD COLUMN     "sPublicKey" BYTEA,
ADD COLUMN     "shares" JSONB,
ADD COLUMN     "unmaskResponse" JSONB,
ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
DROP COLUMN "status",
ADD COLUMN     "status" "ParticipantStatus" NOT NULL DEFAULT 'SELECTED';

-- AlterTable
ALTER TABLE "FederatedRound" DROP COLUMN "status",
ADD COLUMN     "config" JSONB NOT NULL,
ADD COLUMN     "failureReason" TEXT,
ADD COLUMN     "rosterSize" INTEGER,
ADD COLUMN     "stage" "RoundStage" NOT NULL DEFAULT 'ADVERTISING',
ADD COLUMN     "stageDeadlineAt" TIMESTAMPTZ(3) NOT NULL,
ADD COLUMN     "startedById" UUID,
ADD COLUMN     "unmaskRequest" JSONB,
ADD COLUMN     "vectorLength" INTEGER NOT NULL,
ADD COLUMN     "velocity" BYTEA,
ALTER COLUMN "baseVersionId" SET NOT NULL;

-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN     "activatedAt" TIMESTAMPTZ(3),
ADD COLUMN     "weights" BYTEA;

-- DropEnum
DROP TYPE "RoundStatus";

-- CreateTable
CREATE TABLE "HospitalCredential" (
    "id" UUID NOT NULL,
    "hospitalId" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "revokedAt" TIMESTAMPTZ(3),
    "lastUsedAt" TIMESTAMPTZ(3),

    CONSTRAINT "HospitalCredential_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "HospitalCredential_tokenHash_key" ON "HospitalCredential"("tokenHash");

-- CreateIndex
CREATE INDEX "HospitalCredential_hospitalId_createdAt_idx" ON "HospitalCredential"("hospitalId", "createdAt");

-- CreateIndex
CREATE INDEX "FederatedRound_stage_stageDeadlineAt_idx" ON "FederatedRound"("stage", "stageDeadlineAt");

-- AddForeignKey
ALTER TABLE "FederatedRound" ADD CONSTRAINT "FederatedRound_baseVersionId_fkey" FOREIGN KEY ("baseVersionId") REFERENCES "ModelVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FederatedParticipant" ADD CONSTRAINT "FederatedParticipant_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "HospitalCredential"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HospitalCredential" ADD CONSTRAINT "HospitalCredential_hospitalId_fkey" FOREIGN KEY ("hospitalId") REFERENCES "Hospital"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
