-- CreateTable
CREATE TABLE "help_request_voice" (
    "id" SERIAL NOT NULL,
    "requestId" INTEGER NOT NULL,
    "lineMessageId" TEXT NOT NULL,
    "durationMs" INTEGER,
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

    CONSTRAINT "help_request_voice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "help_request_voice_lineMessageId_key" ON "help_request_voice"("lineMessageId");

-- CreateIndex
CREATE INDEX "help_request_voice_status_nextAttemptAt_idx" ON "help_request_voice"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "help_request_voice_requestId_idx" ON "help_request_voice"("requestId");

-- AddForeignKey
ALTER TABLE "help_request_voice" ADD CONSTRAINT "help_request_voice_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "help_request"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

