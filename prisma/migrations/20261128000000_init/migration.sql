-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "EventStatus" AS ENUM ('RECEIVED', 'HANDLED', 'DONE', 'FAILED');

-- CreateEnum
CREATE TYPE "MemberStatus" AS ENUM ('ACTIVE', 'WITHDRAWN');

-- CreateTable
CREATE TABLE "webhook_event" (
    "id" TEXT NOT NULL,
    "sourceKey" TEXT,
    "type" TEXT NOT NULL,
    "payload" JSONB,
    "replyToken" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "isRedelivery" BOOLEAN NOT NULL DEFAULT false,
    "status" "EventStatus" NOT NULL DEFAULT 'RECEIVED',
    "outgoing" JSONB,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "leaseUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "handledAt" TIMESTAMP(3),
    "doneAt" TIMESTAMP(3),

    CONSTRAINT "webhook_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation" (
    "lineUserId" TEXT NOT NULL,
    "flowId" TEXT,
    "stepId" TEXT,
    "flowVersion" INTEGER,
    "data" JSONB NOT NULL DEFAULT '{}',
    "history" JSONB NOT NULL DEFAULT '[]',
    "returnTo" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "turn" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "conversation_pkey" PRIMARY KEY ("lineUserId")
);

-- CreateTable
CREATE TABLE "line_user" (
    "id" TEXT NOT NULL,
    "following" BOOLEAN NOT NULL DEFAULT true,
    "followedAt" TIMESTAMP(3),
    "unfollowedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "line_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent_record" (
    "id" SERIAL NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "noticeVersion" TEXT NOT NULL,
    "granted" BOOLEAN NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consent_record_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member" (
    "id" SERIAL NOT NULL,
    "lineUserId" TEXT,
    "fullName" TEXT,
    "phone" TEXT,
    "councilId" INTEGER,
    "status" "MemberStatus" NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "withdrawnAt" TIMESTAMP(3),

    CONSTRAINT "member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "province" (
    "id" INTEGER NOT NULL,
    "nameTh" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,

    CONSTRAINT "province_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "district" (
    "id" INTEGER NOT NULL,
    "provinceId" INTEGER NOT NULL,
    "nameTh" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,

    CONSTRAINT "district_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tambon" (
    "id" INTEGER NOT NULL,
    "districtId" INTEGER NOT NULL,
    "nameTh" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "zipCode" TEXT,

    CONSTRAINT "tambon_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "council" (
    "id" SERIAL NOT NULL,
    "tambonId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "council_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_event_status_sourceKey_occurredAt_idx" ON "webhook_event"("status", "sourceKey", "occurredAt");

-- CreateIndex
CREATE INDEX "consent_record_lineUserId_recordedAt_idx" ON "consent_record"("lineUserId", "recordedAt");

-- CreateIndex
CREATE UNIQUE INDEX "member_lineUserId_key" ON "member"("lineUserId");

-- CreateIndex
CREATE INDEX "member_councilId_idx" ON "member"("councilId");

-- CreateIndex
CREATE INDEX "district_provinceId_idx" ON "district"("provinceId");

-- CreateIndex
CREATE INDEX "tambon_districtId_idx" ON "tambon"("districtId");

-- CreateIndex
CREATE UNIQUE INDEX "council_tambonId_name_key" ON "council"("tambonId", "name");

-- AddForeignKey
ALTER TABLE "consent_record" ADD CONSTRAINT "consent_record_lineUserId_fkey" FOREIGN KEY ("lineUserId") REFERENCES "line_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "member" ADD CONSTRAINT "member_lineUserId_fkey" FOREIGN KEY ("lineUserId") REFERENCES "line_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "member" ADD CONSTRAINT "member_councilId_fkey" FOREIGN KEY ("councilId") REFERENCES "council"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "district" ADD CONSTRAINT "district_provinceId_fkey" FOREIGN KEY ("provinceId") REFERENCES "province"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tambon" ADD CONSTRAINT "tambon_districtId_fkey" FOREIGN KEY ("districtId") REFERENCES "district"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "council" ADD CONSTRAINT "council_tambonId_fkey" FOREIGN KEY ("tambonId") REFERENCES "tambon"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

