// Facts that many menu-visibility checks ask for (is this a member? which
// roles?) are loaded once per question the engine asks, not once per entry.
// Outside a visibility check (no ctx.cache) the load simply runs.
import type { TurnContext } from "./types.ts";

export function cachedForCheck<T>(ctx: TurnContext, key: string, load: () => Promise<T>): Promise<T> {
  if (!ctx.cache) return load();
  let value = ctx.cache.get(key) as Promise<T> | undefined;
  if (!value) {
    value = load();
    ctx.cache.set(key, value);
  }
  return value;
}
