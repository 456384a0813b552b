-- CreateEnum
CREATE TYPE "AnnouncementAudience" AS ENUM ('EVERYONE', 'MEMBERS', 'SECRETARIES');

-- CreateEnum
CREATE TYPE "AnnouncementStatus" AS ENUM ('SCHEDULED', 'SENDING', 'SENT', 'CANCELLED');

-- CreateTable
CREATE TABLE "staff_digest_item" (
    "id" SERIAL NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "staff_digest_item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invite_attempt" (
    "id" SERIAL NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "invite_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "announcement" (
    "id" SERIAL NOT NULL,
    "createdBy" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "imageMediaId" INTEGER,
    "meetingId" INTEGER,
    "audience" "AnnouncementAudience" NOT NULL,
    "status" "AnnouncementStatus" NOT NULL DEFAULT 'SCHEDULED',
    "scheduledAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "recipientCount" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "announcement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "announcement_area" (
    "announcementId" INTEGER NOT NULL,
    "level" "AreaLevel" NOT NULL,
    "areaId" INTEGER NOT NULL,

    CONSTRAINT "announcement_area_pkey" PRIMARY KEY ("announcementId","level","areaId")
);

-- CreateTable
CREATE TABLE "announcement_recipient" (
    "announcementId" INTEGER NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "outboxMessageId" INTEGER,

    CONSTRAINT "announcement_recipient_pkey" PRIMARY KEY ("announcementId","lineUserId")
);

-- CreateTable
CREATE TABLE "media_file" (
    "id" SERIAL NOT NULL,
    "contentType" TEXT NOT NULL,
    "bytes" BYTEA NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "media_file_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "staff_digest_item_lineUserId_sentAt_idx" ON "staff_digest_item"("lineUserId", "sentAt");

-- CreateIndex
CREATE INDEX "invite_attempt_lineUserId_at_idx" ON "invite_attempt"("lineUserId", "at");

-- CreateIndex
CREATE INDEX "announcement_status_scheduledAt_idx" ON "announcement"("status", "scheduledAt");

-- CreateIndex
CREATE INDEX "announcement_recipient_outboxMessageId_idx" ON "announcement_recipient"("outboxMessageId");

-- AddForeignKey
ALTER TABLE "announcement" ADD CONSTRAINT "announcement_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "meeting"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "announcement_area" ADD CONSTRAINT "announcement_area_announcementId_fkey" FOREIGN KEY ("announcementId") REFERENCES "announcement"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "announcement_recipient" ADD CONSTRAINT "announcement_recipient_announcementId_fkey" FOREIGN KEY ("announcementId") REFERENCES "announcement"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

