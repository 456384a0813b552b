-- CreateEnum
CREATE TYPE "SituationLevel" AS ENUM ('WATCH', 'INCIDENT', 'CRISIS');

-- CreateEnum
CREATE TYPE "SituationStatus" AS ENUM ('ACTIVE', 'ENDED');

-- CreateEnum
CREATE TYPE "SituationAction" AS ENUM ('DECLARED', 'CHANGED', 'ENDED');

-- CreateEnum
CREATE TYPE "SafetyStatus" AS ENUM ('SAFE', 'NEEDS_HELP', 'CONTACTED_SAFE');

-- CreateEnum
CREATE TYPE "AidKind" AS ENUM ('FOOD_PACK', 'WATER', 'MEDICINE', 'CASH');

-- AlterEnum
ALTER TYPE "OutboxStatus" ADD VALUE 'CANCELLED';

-- AlterTable
ALTER TABLE "member" ADD COLUMN     "householdVulnerable" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "householdVulnerableAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "situation" (
    "id" SERIAL NOT NULL,
    "level" "SituationLevel" NOT NULL,
    "message" TEXT NOT NULL,
    "status" "SituationStatus" NOT NULL DEFAULT 'ACTIVE',
    "declaredBy" TEXT NOT NULL,
    "declaredAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "endedBy" TEXT,
    "endedAt" TIMESTAMP(3),
    "summaryAt" TIMESTAMP(3),

    CONSTRAINT "situation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "situation_area" (
    "situationId" INTEGER NOT NULL,
    "level" "AreaLevel" NOT NULL,
    "areaId" INTEGER NOT NULL,

    CONSTRAINT "situation_area_pkey" PRIMARY KEY ("situationId","level","areaId")
);

-- CreateTable
CREATE TABLE "situation_change" (
    "id" SERIAL NOT NULL,
    "situationId" INTEGER NOT NULL,
    "action" "SituationAction" NOT NULL,
    "level" "SituationLevel" NOT NULL,
    "areas" JSONB NOT NULL,
    "message" TEXT NOT NULL,
    "by" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "situation_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "safety_check_in" (
    "situationId" INTEGER NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "councilId" INTEGER NOT NULL,
    "outboxMessageId" INTEGER,
    "sentAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "safety_check_in_pkey" PRIMARY KEY ("situationId","lineUserId")
);

-- CreateTable
CREATE TABLE "safety_answer" (
    "situationId" INTEGER NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "councilId" INTEGER NOT NULL,
    "status" "SafetyStatus" NOT NULL,
    "answeredBy" TEXT NOT NULL,
    "helpRequestId" INTEGER,
    "answeredAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "safety_answer_pkey" PRIMARY KEY ("situationId","lineUserId")
);

-- CreateTable
CREATE TABLE "neighbour_report" (
    "id" SERIAL NOT NULL,
    "situationId" INTEGER NOT NULL,
    "reportedBy" TEXT NOT NULL,
    "councilId" INTEGER NOT NULL,
    "name" TEXT,
    "status" "SafetyStatus" NOT NULL,
    "helpRequestId" INTEGER,
    "reportedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "neighbour_report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "aid_distribution" (
    "id" SERIAL NOT NULL,
    "situationId" INTEGER,
    "councilId" INTEGER NOT NULL,
    "helpRequestId" INTEGER,
    "householdKey" TEXT NOT NULL,
    "kind" "AidKind" NOT NULL,
    "amount" INTEGER,
    "recordedBy" TEXT NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "aid_distribution_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "situation_status_idx" ON "situation"("status");

-- CreateIndex
CREATE INDEX "situation_change_situationId_at_idx" ON "situation_change"("situationId", "at");

-- CreateIndex
CREATE INDEX "safety_check_in_situationId_councilId_idx" ON "safety_check_in"("situationId", "councilId");

-- CreateIndex
CREATE INDEX "safety_check_in_outboxMessageId_idx" ON "safety_check_in"("outboxMessageId");

-- CreateIndex
CREATE INDEX "safety_answer_situationId_councilId_idx" ON "safety_answer"("situationId", "councilId");

-- CreateIndex
CREATE INDEX "neighbour_report_situationId_councilId_idx" ON "neighbour_report"("situationId", "councilId");

-- CreateIndex
CREATE INDEX "aid_distribution_situationId_householdKey_kind_idx" ON "aid_distribution"("situationId", "householdKey", "kind");

-- CreateIndex
CREATE INDEX "aid_distribution_helpRequestId_idx" ON "aid_distribution"("helpRequestId");

-- CreateIndex
CREATE INDEX "aid_distribution_councilId_recordedAt_idx" ON "aid_distribution"("councilId", "recordedAt");

-- AddForeignKey
ALTER TABLE "situation_area" ADD CONSTRAINT "situation_area_situationId_fkey" FOREIGN KEY ("situationId") REFERENCES "situation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "situation_change" ADD CONSTRAINT "situation_change_situationId_fkey" FOREIGN KEY ("situationId") REFERENCES "situation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "safety_check_in" ADD CONSTRAINT "safety_check_in_situationId_fkey" FOREIGN KEY ("situationId") REFERENCES "situation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "safety_answer" ADD CONSTRAINT "safety_answer_situationId_fkey" FOREIGN KEY ("situationId") REFERENCES "situation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "neighbour_report" ADD CONSTRAINT "neighbour_report_situationId_fkey" FOREIGN KEY ("situationId") REFERENCES "situation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "aid_distribution" ADD CONSTRAINT "aid_distribution_situationId_fkey" FOREIGN KEY ("situationId") REFERENCES "situation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

