// The bot: the engine with every domain module's flows and menu entries, and
// the routing of LINE event types. Add a domain by adding its module here.
import { Engine, clearFlow } from "./engine/engine.ts";
import { inputOf, userIdOf } from "./line/events.ts";
import type { EventHandler } from "./inbox/processor.ts";
import { helpRequestsModule } from "./help-requests/flood-module.ts";
import { membersModule } from "./members/members.ts";
import { fundModule } from "./welfare-fund/fund-module.ts";

export interface BotOptions {
  provinceCode: number;
  conversationTimeoutMinutes: number;
}

export function createBot(options: BotOptions): { engine: Engine; handleEvent: EventHandler } {
  let engine: Engine;
  const members = membersModule({ provinceCode: options.provinceCode, engine: () => engine });
  const fund = fundModule({ engine: () => engine });
  const help = helpRequestsModule({ provinceCode: options.provinceCode, engine: () => engine });
  engine = new Engine({
    flows: [...members.flows, ...fund.flows, ...help.flows],
    menu: [...members.menu, ...fund.menu, ...help.menu],
    timeoutMinutes: options.conversationTimeoutMinutes,
  });

  const handle: EventHandler["handle"] = async (ctx, event) => {
    // Group and room chats are not served yet: stored, not answered.
    if (!userIdOf(event)) return { outgoing: null };
    switch (event.type) {
      case "follow":
        return { outgoing: await members.onFollow(ctx), wantsProfile: true };
      case "unfollow":
        clearFlow(ctx.state);
        await members.onUnfollow(ctx);
        return { outgoing: null };
      case "message":
      case "postback": {
        const input = inputOf(event);
        if (!input) return { outgoing: null };
        return { outgoing: await engine.handle(ctx, input) };
      }
      default:
        return { outgoing: null };
    }
  };
  const handleEvent: EventHandler = { handle, onProfile: (ctx, name) => members.onProfile(ctx, name) };
  return { engine, handleEvent };
}
