-- CreateTable
CREATE TABLE "rich_menu_link" (
    "lineUserId" TEXT NOT NULL,
    "menu" TEXT NOT NULL,
    "linkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "rich_menu_link_pkey" PRIMARY KEY ("lineUserId")
);

