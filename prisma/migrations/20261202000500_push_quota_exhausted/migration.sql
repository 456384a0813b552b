-- AlterTable
ALTER TABLE "push_quota_usage" ADD COLUMN     "exhaustedAt" TIMESTAMP(3),
ADD COLUMN     "probeAt" TIMESTAMP(3);
