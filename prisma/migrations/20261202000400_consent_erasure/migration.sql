-- CreateTable
CREATE TABLE "pending_erasure" (
    "requestId" INTEGER NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "pending_erasure_pkey" PRIMARY KEY ("requestId")
);
