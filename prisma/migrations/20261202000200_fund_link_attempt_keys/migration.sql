-- Attempts until now were keyed on member.id only and cannot be given the
-- new keys (they are HMACs under the application's secret): drop them, which
-- at worst ends a lock-out of the last 24 hours early, once.
DELETE FROM "fund_link_attempt";

-- DropForeignKey
ALTER TABLE "fund_link_attempt" DROP CONSTRAINT "fund_link_attempt_memberId_fkey";

-- AlterTable
ALTER TABLE "fund_link_attempt" ADD COLUMN     "nationalIdKey" CHAR(64) NOT NULL,
ADD COLUMN     "userKey" CHAR(64) NOT NULL,
ALTER COLUMN "memberId" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "fund_link_attempt_userKey_attemptedAt_idx" ON "fund_link_attempt"("userKey", "attemptedAt");

-- CreateIndex
CREATE INDEX "fund_link_attempt_nationalIdKey_attemptedAt_idx" ON "fund_link_attempt"("nationalIdKey", "attemptedAt");

-- AddForeignKey
ALTER TABLE "fund_link_attempt" ADD CONSTRAINT "fund_link_attempt_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "member"("id") ON DELETE SET NULL ON UPDATE CASCADE;
