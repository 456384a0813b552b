-- CreateTable
CREATE TABLE "simulator_persona" (
    "userId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "simulator_persona_pkey" PRIMARY KEY ("userId")
);

