-- AlterEnum
ALTER TYPE "HelpRequestEventKind" ADD VALUE 'ASSIGN';

-- AlterTable
ALTER TABLE "help_request" ADD COLUMN     "assignedTo" TEXT;

-- AlterTable
ALTER TABLE "help_request_event" ADD COLUMN     "assigneeUserId" TEXT;

-- AlterTable
ALTER TABLE "staff_digest_item" ADD COLUMN     "subject" TEXT;
