import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShippedBot } from "../support/shipped.ts";

describe.each(["postgres", "pglite"] as const)("shipped bot on %s", (db) => {
  let bot: ShippedBot;
  beforeAll(async () => {
    const t = Date.now();
    bot = await ShippedBot.start({ db });
    console.log(db, "start ms", Date.now() - t);
  });
  afterAll(async () => bot?.stop());
  it("greets a follower", async () => {
    const u = bot.user("U00000000000000000000000000000001");
    await u.follow();
    expect(u.lastText()).toMatch(/ยินยอม|PDPA/);
    await u.tap("ยินยอม");
    expect(u.lastText()).toMatch(/ชื่อ/);
  });
});
