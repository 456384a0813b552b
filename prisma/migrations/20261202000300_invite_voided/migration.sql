-- AlterTable
ALTER TABLE "invite_code" ADD COLUMN     "voidedAt" TIMESTAMP(3);

