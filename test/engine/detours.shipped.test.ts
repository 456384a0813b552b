// Issue 11 §1 through the shipped process (`src/main.ts`, env only,
// PostgreSQL): a person adds the account and types a cry for help before
// answering the consent question; the flood request starts at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HELP_TEXT } from "../../src/help-requests/texts.ts";
import { lineUserId, ShippedBot } from "../support/shipped.ts";

describe("the first message after adding the account, shipped", () => {
  let bot: ShippedBot;
  beforeAll(async () => {
    bot = await ShippedBot.start({ db: "postgres" });
  });
  afterAll(async () => bot?.stop());

  it("ช่วยด้วย น้ำท่วมบ้าน right after the follow starts the flood request, not the consent re-prompt", async () => {
    const u = bot.user(lineUserId(0x11d1));
    await u.follow();
    expect(u.lastText()).toMatch(/ยินยอม/);
    await u.say("ช่วยด้วย น้ำท่วมบ้าน");
    expect(u.lastText()).not.toContain("กรุณาแตะ “ยินยอม” หรือ “ไม่ยินยอม”");
    expect(u.lastText()).toContain(HELP_TEXT.askWhose);
    expect(u.buttons()).toContain(HELP_TEXT.mine);
    await u.tap(HELP_TEXT.mine);
    // The flood request's next question: where the house is.
    expect(u.buttons()[0]).toBe(HELP_TEXT.locationButton);
  });
});
