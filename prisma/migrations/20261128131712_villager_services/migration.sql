-- CreateEnum
CREATE TYPE "HelpRequestEventKind" AS ENUM ('CREATED', 'STATUS', 'NOTE', 'PHOTO', 'HANDOVER');

-- CreateEnum
CREATE TYPE "PhotoStage" AS ENUM ('REQUEST', 'AFTER');

-- CreateEnum
CREATE TYPE "PhotoFetchStatus" AS ENUM ('PENDING', 'FETCHED', 'FAILED');

-- CreateEnum
CREATE TYPE "MeetingStatus" AS ENUM ('SCHEDULED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "AreaLevel" AS ENUM ('PROVINCE', 'DISTRICT', 'COUNCIL');

-- CreateEnum
CREATE TYPE "RegistrationStatus" AS ENUM ('REGISTERED', 'WAITLISTED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('PENDING', 'SENT', 'FAILED');

-- AlterEnum
ALTER TYPE "HelpRequestStatus" ADD VALUE 'CANCELLED';

-- DropIndex
DROP INDEX "help_request_lineUserId_idx";

-- AlterTable
ALTER TABLE "help_request" ADD COLUMN     "householdHead" TEXT,
ADD COLUMN     "incomeBand" TEXT,
ADD COLUMN     "landStatus" TEXT,
ADD COLUMN     "phone" TEXT,
ADD COLUMN     "unsafeParts" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ALTER COLUMN "priority" DROP NOT NULL;

-- CreateTable
CREATE TABLE "help_request_event" (
    "id" SERIAL NOT NULL,
    "requestId" INTEGER NOT NULL,
    "kind" "HelpRequestEventKind" NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actorUserId" TEXT,
    "byStaff" BOOLEAN NOT NULL DEFAULT false,
    "fromStatus" "HelpRequestStatus",
    "toStatus" "HelpRequestStatus",
    "fromCouncilId" INTEGER,
    "toCouncilId" INTEGER,
    "note" TEXT,

    CONSTRAINT "help_request_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "help_request_photo" (
    "id" SERIAL NOT NULL,
    "requestId" INTEGER NOT NULL,
    "lineMessageId" TEXT NOT NULL,
    "stage" "PhotoStage" NOT NULL DEFAULT 'REQUEST',
    "addedBy" TEXT NOT NULL,
    "addedAt" TIMESTAMP(3) NOT NULL,
    "status" "PhotoFetchStatus" NOT NULL DEFAULT 'PENDING',
    "contentType" TEXT,
    "bytes" BYTEA,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "leaseUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "fetchedAt" TIMESTAMP(3),

    CONSTRAINT "help_request_photo_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "meeting" (
    "id" SERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "agenda" TEXT,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "placeName" TEXT NOT NULL,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "address" TEXT,
    "capacity" INTEGER,
    "registrationDeadline" TIMESTAMP(3),
    "status" "MeetingStatus" NOT NULL DEFAULT 'SCHEDULED',
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "meeting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "meeting_audience" (
    "meetingId" INTEGER NOT NULL,
    "level" "AreaLevel" NOT NULL,
    "areaId" INTEGER NOT NULL,

    CONSTRAINT "meeting_audience_pkey" PRIMARY KEY ("meetingId","level","areaId")
);

-- CreateTable
CREATE TABLE "meeting_registration" (
    "id" SERIAL NOT NULL,
    "meetingId" INTEGER NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "memberId" INTEGER,
    "people" INTEGER NOT NULL DEFAULT 1,
    "status" "RegistrationStatus" NOT NULL,
    "registeredAt" TIMESTAMP(3) NOT NULL,
    "promotedAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),

    CONSTRAINT "meeting_registration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_message" (
    "id" SERIAL NOT NULL,
    "purpose" TEXT NOT NULL,
    "recipients" JSONB NOT NULL,
    "messages" JSONB NOT NULL,
    "retryKey" UUID NOT NULL,
    "dedupeKey" TEXT,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "notBefore" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "leaseUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "outbox_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "push_quota_usage" (
    "month" TEXT NOT NULL,
    "messages" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "push_quota_usage_pkey" PRIMARY KEY ("month")
);

-- CreateIndex
CREATE INDEX "help_request_event_requestId_at_idx" ON "help_request_event"("requestId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "help_request_photo_lineMessageId_key" ON "help_request_photo"("lineMessageId");

-- CreateIndex
CREATE INDEX "help_request_photo_status_nextAttemptAt_idx" ON "help_request_photo"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "help_request_photo_requestId_idx" ON "help_request_photo"("requestId");

-- CreateIndex
CREATE INDEX "meeting_status_startsAt_idx" ON "meeting"("status", "startsAt");

-- CreateIndex
CREATE INDEX "meeting_audience_level_areaId_idx" ON "meeting_audience"("level", "areaId");

-- CreateIndex
CREATE INDEX "meeting_registration_meetingId_status_registeredAt_idx" ON "meeting_registration"("meetingId", "status", "registeredAt");

-- CreateIndex
CREATE INDEX "meeting_registration_lineUserId_status_idx" ON "meeting_registration"("lineUserId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "meeting_registration_meetingId_lineUserId_key" ON "meeting_registration"("meetingId", "lineUserId");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_message_retryKey_key" ON "outbox_message"("retryKey");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_message_dedupeKey_key" ON "outbox_message"("dedupeKey");

-- CreateIndex
CREATE INDEX "outbox_message_status_notBefore_idx" ON "outbox_message"("status", "notBefore");

-- CreateIndex
CREATE INDEX "help_request_lineUserId_updatedAt_idx" ON "help_request"("lineUserId", "updatedAt");

-- AddForeignKey
ALTER TABLE "help_request_event" ADD CONSTRAINT "help_request_event_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "help_request"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "help_request_photo" ADD CONSTRAINT "help_request_photo_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "help_request"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "meeting_audience" ADD CONSTRAINT "meeting_audience_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "meeting"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "meeting_registration" ADD CONSTRAINT "meeting_registration_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "meeting"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Carry over requests filed before this migration: their photos (message ids
-- only; LINE may no longer have the content, the fetcher will mark them
-- FAILED) and a CREATED entry in their history.
INSERT INTO "help_request_photo" ("requestId", "lineMessageId", "addedBy", "addedAt")
SELECT r."id", p.id, r."lineUserId", r."createdAt"
FROM "help_request" r, jsonb_array_elements_text(r."photoMessageIds") AS p(id)
ON CONFLICT ("lineMessageId") DO NOTHING;

INSERT INTO "help_request_event" ("requestId", "kind", "at", "actorUserId", "toStatus")
SELECT "id", 'CREATED', "createdAt", "lineUserId", 'PENDING' FROM "help_request";

UPDATE "help_request" SET "updatedAt" = "createdAt";

ALTER TABLE "help_request" DROP COLUMN "photoMessageIds";
