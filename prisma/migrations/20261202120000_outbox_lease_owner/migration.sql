-- AlterTable
ALTER TABLE "outbox_message" ADD COLUMN     "leaseOwner" BIGINT;
