-- AlterTable
ALTER TABLE "outbox_message" ADD COLUMN     "sendingAt" TIMESTAMP(3);

