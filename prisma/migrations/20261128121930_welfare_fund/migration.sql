-- CreateEnum
CREATE TYPE "BenefitType" AS ENUM ('BIRTH', 'HOSPITAL', 'FUNERAL', 'ELDERLY', 'DISABLED', 'SCHOLARSHIP', 'DISASTER', 'OTHER');

-- CreateTable
CREATE TABLE "welfare_fund" (
    "id" SERIAL NOT NULL,
    "councilId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "welfare_fund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fund_member" (
    "id" SERIAL NOT NULL,
    "fundId" INTEGER NOT NULL,
    "memberNo" TEXT NOT NULL,
    "nationalId" CHAR(13) NOT NULL,
    "title" TEXT,
    "firstName" TEXT NOT NULL,
    "lastName" TEXT NOT NULL,
    "birthDate" DATE NOT NULL,
    "joinedOn" DATE NOT NULL,
    "leftOn" DATE,
    "phone" TEXT,
    "memberId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "fund_member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fund_beneficiary" (
    "id" SERIAL NOT NULL,
    "fundMemberId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "relation" TEXT,

    CONSTRAINT "fund_beneficiary_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fund_contribution" (
    "id" SERIAL NOT NULL,
    "fundMemberId" INTEGER NOT NULL,
    "paidOn" DATE NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "periodFrom" DATE NOT NULL,
    "periodTo" DATE NOT NULL,
    "receiptNo" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fund_contribution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fund_benefit_payment" (
    "id" SERIAL NOT NULL,
    "fundMemberId" INTEGER NOT NULL,
    "type" "BenefitType" NOT NULL,
    "paidOn" DATE NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fund_benefit_payment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fund_benefit_rule" (
    "id" SERIAL NOT NULL,
    "fundId" INTEGER NOT NULL,
    "type" "BenefitType" NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "waitingDays" INTEGER NOT NULL DEFAULT 180,
    "yearlyCap" DECIMAL(12,2),
    "note" TEXT,

    CONSTRAINT "fund_benefit_rule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "welfare_fund_councilId_code_key" ON "welfare_fund"("councilId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "welfare_fund_councilId_name_key" ON "welfare_fund"("councilId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "fund_member_memberId_key" ON "fund_member"("memberId");

-- CreateIndex
CREATE UNIQUE INDEX "fund_member_fundId_memberNo_key" ON "fund_member"("fundId", "memberNo");

-- CreateIndex
CREATE UNIQUE INDEX "fund_member_fundId_nationalId_key" ON "fund_member"("fundId", "nationalId");

-- CreateIndex
CREATE UNIQUE INDEX "fund_beneficiary_fundMemberId_position_key" ON "fund_beneficiary"("fundMemberId", "position");

-- CreateIndex
CREATE INDEX "fund_contribution_fundMemberId_periodTo_idx" ON "fund_contribution"("fundMemberId", "periodTo");

-- CreateIndex
CREATE UNIQUE INDEX "fund_contribution_fundMemberId_paidOn_amount_periodFrom_per_key" ON "fund_contribution"("fundMemberId", "paidOn", "amount", "periodFrom", "periodTo");

-- CreateIndex
CREATE UNIQUE INDEX "fund_benefit_payment_fundMemberId_type_paidOn_amount_key" ON "fund_benefit_payment"("fundMemberId", "type", "paidOn", "amount");

-- CreateIndex
CREATE UNIQUE INDEX "fund_benefit_rule_fundId_type_key" ON "fund_benefit_rule"("fundId", "type");

-- AddForeignKey
ALTER TABLE "welfare_fund" ADD CONSTRAINT "welfare_fund_councilId_fkey" FOREIGN KEY ("councilId") REFERENCES "council"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fund_member" ADD CONSTRAINT "fund_member_fundId_fkey" FOREIGN KEY ("fundId") REFERENCES "welfare_fund"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fund_member" ADD CONSTRAINT "fund_member_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fund_beneficiary" ADD CONSTRAINT "fund_beneficiary_fundMemberId_fkey" FOREIGN KEY ("fundMemberId") REFERENCES "fund_member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fund_contribution" ADD CONSTRAINT "fund_contribution_fundMemberId_fkey" FOREIGN KEY ("fundMemberId") REFERENCES "fund_member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fund_benefit_payment" ADD CONSTRAINT "fund_benefit_payment_fundMemberId_fkey" FOREIGN KEY ("fundMemberId") REFERENCES "fund_member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fund_benefit_rule" ADD CONSTRAINT "fund_benefit_rule_fundId_fkey" FOREIGN KEY ("fundId") REFERENCES "welfare_fund"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

