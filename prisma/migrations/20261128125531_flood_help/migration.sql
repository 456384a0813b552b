-- CreateEnum
CREATE TYPE "HelpRequestKind" AS ENUM ('FLOOD', 'HOUSING');

-- CreateEnum
CREATE TYPE "HelpRequestStatus" AS ENUM ('PENDING', 'ACCEPTED', 'IN_PROGRESS', 'RESOLVED', 'REJECTED');

-- CreateEnum
CREATE TYPE "HelpPriority" AS ENUM ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW');

-- CreateTable
CREATE TABLE "help_request" (
    "id" SERIAL NOT NULL,
    "kind" "HelpRequestKind" NOT NULL,
    "caseNumber" TEXT NOT NULL,
    "councilId" INTEGER NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "memberId" INTEGER,
    "forSomeoneElse" BOOLEAN NOT NULL DEFAULT false,
    "householdName" TEXT,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "address" TEXT,
    "village" TEXT,
    "peopleCount" INTEGER,
    "vulnerable" JSONB NOT NULL DEFAULT '[]',
    "waterLevel" TEXT,
    "needs" JSONB NOT NULL DEFAULT '[]',
    "note" TEXT,
    "photoMessageIds" JSONB NOT NULL DEFAULT '[]',
    "priority" "HelpPriority" NOT NULL,
    "status" "HelpRequestStatus" NOT NULL DEFAULT 'PENDING',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "help_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_counter" (
    "prefix" TEXT NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "case_counter_pkey" PRIMARY KEY ("prefix")
);

-- CreateIndex
CREATE UNIQUE INDEX "help_request_caseNumber_key" ON "help_request"("caseNumber");

-- CreateIndex
CREATE INDEX "help_request_councilId_status_priority_idx" ON "help_request"("councilId", "status", "priority");

-- CreateIndex
CREATE INDEX "help_request_lineUserId_idx" ON "help_request"("lineUserId");

-- AddForeignKey
ALTER TABLE "help_request" ADD CONSTRAINT "help_request_councilId_fkey" FOREIGN KEY ("councilId") REFERENCES "council"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "help_request" ADD CONSTRAINT "help_request_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

