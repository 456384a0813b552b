-- AlterTable
ALTER TABLE "webhook_event" ADD COLUMN     "leaseOwner" BIGINT,
ADD COLUMN     "replyAttemptedAt" TIMESTAMP(3),
ADD COLUMN     "throttled" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "webhook_event_sourceKey_occurredAt_idx" ON "webhook_event"("sourceKey", "occurredAt");
