-- CreateEnum
CREATE TYPE "StaffRoleKind" AS ENUM ('SECRETARY', 'COORDINATOR', 'ADMIN');

-- AlterTable
ALTER TABLE "help_request" ADD COLUMN     "acceptedAt" TIMESTAMP(3),
ADD COLUMN     "escalatedAt" TIMESTAMP(3),
ADD COLUMN     "escalationLevel" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "notifiedAt" TIMESTAMP(3),
ADD COLUMN     "remindedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "staff_role" (
    "id" SERIAL NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "role" "StaffRoleKind" NOT NULL,
    "level" "AreaLevel" NOT NULL,
    "areaId" INTEGER NOT NULL,
    "grantedBy" TEXT NOT NULL,
    "grantedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "staff_role_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff_role_audit" (
    "id" SERIAL NOT NULL,
    "lineUserId" TEXT NOT NULL,
    "role" "StaffRoleKind" NOT NULL,
    "level" "AreaLevel" NOT NULL,
    "areaId" INTEGER NOT NULL,
    "granted" BOOLEAN NOT NULL,
    "by" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "via" TEXT NOT NULL,

    CONSTRAINT "staff_role_audit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invite_code" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "role" "StaffRoleKind" NOT NULL,
    "level" "AreaLevel" NOT NULL,
    "areaId" INTEGER NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedBy" TEXT,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "invite_code_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff_preference" (
    "lineUserId" TEXT NOT NULL,
    "digest" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "staff_preference_pkey" PRIMARY KEY ("lineUserId")
);

-- CreateIndex
CREATE INDEX "staff_role_role_level_areaId_idx" ON "staff_role"("role", "level", "areaId");

-- CreateIndex
CREATE UNIQUE INDEX "staff_role_lineUserId_role_level_areaId_key" ON "staff_role"("lineUserId", "role", "level", "areaId");

-- CreateIndex
CREATE INDEX "staff_role_audit_lineUserId_at_idx" ON "staff_role_audit"("lineUserId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "invite_code_code_key" ON "invite_code"("code");

