-- CreateEnum
CREATE TYPE "FundLinkReason" AS ENUM ('NO_MATCH', 'AMBIGUOUS', 'ALREADY_LINKED');

-- CreateEnum
CREATE TYPE "FundLinkStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED');

-- CreateTable
CREATE TABLE "fund_link_request" (
    "id" SERIAL NOT NULL,
    "memberId" INTEGER NOT NULL,
    "councilId" INTEGER NOT NULL,
    "nationalId" CHAR(13) NOT NULL,
    "birthDate" DATE NOT NULL,
    "reason" "FundLinkReason" NOT NULL,
    "status" "FundLinkStatus" NOT NULL DEFAULT 'PENDING',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),
    "decidedBy" TEXT,

    CONSTRAINT "fund_link_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fund_link_attempt" (
    "id" SERIAL NOT NULL,
    "memberId" INTEGER NOT NULL,
    "matched" BOOLEAN NOT NULL,
    "attemptedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "fund_link_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "fund_link_request_councilId_status_idx" ON "fund_link_request"("councilId", "status");

-- CreateIndex
CREATE INDEX "fund_link_request_memberId_idx" ON "fund_link_request"("memberId");

-- CreateIndex
CREATE INDEX "fund_link_attempt_memberId_attemptedAt_idx" ON "fund_link_attempt"("memberId", "attemptedAt");

-- AddForeignKey
ALTER TABLE "fund_link_request" ADD CONSTRAINT "fund_link_request_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fund_link_request" ADD CONSTRAINT "fund_link_request_councilId_fkey" FOREIGN KEY ("councilId") REFERENCES "council"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fund_link_attempt" ADD CONSTRAINT "fund_link_attempt_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

