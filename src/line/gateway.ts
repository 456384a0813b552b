// The only module that talks to LINE's API. It checks every payload against
// LINE's limits, bounds every call with a timeout (the SDK has none), and
// turns LINE's answers into a small set of outcomes the callers act on.
// The calls made per message (reply, push, multicast, the loading animation)
// go over a keep-alive node:http agent (./line-http.ts); the rest through
// the SDK's client. Both end in the same LineApiError.
import { createHash } from "node:crypto";
import { HTTPFetchError, messagingApi } from "@line/bot-sdk";
import type { Metrics } from "../metrics.ts";
import { assertWithinLineLimits } from "./limits.ts";
import { LineHttp, LineHttpTimeout } from "./line-http.ts";
import { assertValidRichMenu } from "./rich-menu/validate.ts";
import { withDefaults } from "../options.ts";

export interface LineGatewayOptions {
  channelAccessToken: string;
  apiBaseUrl: string;
  /** Message contents (photos) and rich menu images live on a second host. */
  dataApiBaseUrl?: string;
  timeoutMs?: number;
  metrics?: Pick<Metrics, "lineApiError">;
}

/** Why a call failed, and whether trying again later can help. */
export class LineApiError extends Error {
  override name = "LineApiError";
  constructor(
    readonly operation: string,
    readonly status: number | null, // null: network error or timeout
    readonly body: string,
  ) {
    super(`LINE ${operation} failed: ${status ?? "no answer"} ${body.slice(0, 200)}`);
  }
  /** 5xx, 429, timeouts and network errors pass; other 4xx will not. */
  get retriable(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500;
  }
}

/** A stable UUID for a message, so a retried push is accepted once by LINE. */
export function retryKeyFor(id: string): string {
  const h = createHash("sha256").update(id).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A call LINE has not answered in this long is given up (and retried by its caller). */
export const LINE_GATEWAY_DEFAULTS = { timeoutMs: 10_000 };

export class LineGateway {
  private readonly client: messagingApi.MessagingApiClient;
  private readonly blobClient: messagingApi.MessagingApiBlobClient;
  private readonly http: LineHttp;
  private readonly timeoutMs: number;
  private readonly metrics: LineGatewayOptions["metrics"];

  constructor(options: LineGatewayOptions) {
    this.metrics = options.metrics;
    this.http = new LineHttp(options.apiBaseUrl, options.channelAccessToken);
    this.client = new messagingApi.MessagingApiClient({
      channelAccessToken: options.channelAccessToken,
      baseURL: options.apiBaseUrl,
    });
    this.blobClient = new messagingApi.MessagingApiBlobClient({
      channelAccessToken: options.channelAccessToken,
      baseURL: options.dataApiBaseUrl ?? "https://api-data.line.me",
    });
    this.timeoutMs = withDefaults(LINE_GATEWAY_DEFAULTS, options).timeoutMs;
  }

  private async call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LineApiError(operation, null, "timeout")), this.timeoutMs);
    });
    try {
      return await Promise.race([work(), timeout]);
    } catch (error) {
      const failure =
        error instanceof LineApiError
          ? error
          : error instanceof HTTPFetchError
            ? new LineApiError(operation, error.status, error.body ?? "")
            : new LineApiError(operation, null, error instanceof Error ? error.message : String(error));
      this.metrics?.lineApiError(operation, failure.status);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A hot call over the keep-alive transport, with the SDK's semantics: a
   * 2xx is success (its JSON body parsed, as the SDK does, and dropped); any
   * other status is LineApiError(status, body); no answer, a cut connection
   * or a body that is not JSON is LineApiError(null, why).
   */
  private async post(operation: string, path: string, payload: unknown, retryKey?: string): Promise<void> {
    let failure: LineApiError;
    try {
      const json = JSON.stringify(payload);
      const answer = await this.http.post(
        path,
        json,
        this.timeoutMs,
        retryKey === undefined ? undefined : { "x-line-retry-key": retryKey },
      );
      if (answer.status >= 200 && answer.status < 300) {
        if (answer.body) JSON.parse(answer.body);
        return;
      }
      failure = new LineApiError(operation, answer.status, answer.body);
    } catch (error) {
      failure =
        error instanceof LineHttpTimeout
          ? new LineApiError(operation, null, "timeout")
          : new LineApiError(operation, null, error instanceof Error ? error.message : String(error));
    }
    this.metrics?.lineApiError(operation, failure.status);
    throw failure;
  }

  async reply(replyToken: string, messages: messagingApi.Message[]): Promise<void> {
    assertWithinLineLimits(messages);
    await this.post("reply", "/v2/bot/message/reply", { replyToken, messages } satisfies messagingApi.ReplyMessageRequest);
  }

  /** Resolves "duplicate" when LINE already accepted this retry key (409). */
  async push(to: string, messages: messagingApi.Message[], retryKey: string): Promise<"sent" | "duplicate"> {
    assertWithinLineLimits(messages);
    try {
      await this.post("push", "/v2/bot/message/push", { to, messages } satisfies messagingApi.PushMessageRequest, retryKey);
      return "sent";
    } catch (error) {
      if (error instanceof LineApiError && error.status === 409) return "duplicate";
      throw error;
    }
  }

  /** Up to 500 users; resolves "duplicate" when LINE already accepted this retry key (409). */
  async multicast(to: string[], messages: messagingApi.Message[], retryKey: string): Promise<"sent" | "duplicate"> {
    assertWithinLineLimits(messages);
    if (to.length === 0 || to.length > 500) throw new Error(`multicast takes 1–500 users, got ${to.length}`);
    try {
      await this.post("multicast", "/v2/bot/message/multicast", { to, messages } satisfies messagingApi.MulticastRequest, retryKey);
      return "sent";
    } catch (error) {
      if (error instanceof LineApiError && error.status === 409) return "duplicate";
      throw error;
    }
  }

  /** The bytes of an image (or other) message the user sent; LINE keeps them for a limited time. */
  /** `status` 202: LINE is still preparing the content (audio, video): ask again later. */
  async messageContent(messageId: string): Promise<{ contentType: string; bytes: Buffer; status?: number }> {
    return this.call("content", async () => {
      const res = await this.blobClient.getMessageContentWithHttpInfo(messageId);
      const chunks: Buffer[] = [];
      for await (const chunk of res.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      return {
        contentType: res.httpResponse.headers.get("content-type") ?? "application/octet-stream",
        bytes: Buffer.concat(chunks),
        status: res.httpResponse.status,
      };
    });
  }

  /** LINE's typing dots; best effort, one-to-one chats only. */
  async showLoading(chatId: string, seconds = 5): Promise<void> {
    await this.post("loading", "/v2/bot/chat/loading/start", {
      chatId,
      loadingSeconds: seconds,
    } satisfies messagingApi.ShowLoadingAnimationRequest);
  }

  async displayName(userId: string): Promise<string | null> {
    const profile = await this.call("profile", () => this.client.getProfile(userId));
    return profile.displayName?.trim() || null;
  }

  // --- rich menus (set up by src/cli/rich-menu.ts, not by the bot) ---------

  /** Checked first: LINE answers a bad menu with a bare 400. Resolves the new menu's id. */
  async createRichMenu(menu: messagingApi.RichMenuRequest): Promise<string> {
    assertValidRichMenu(menu);
    const { richMenuId } = await this.call("richmenu create", () => this.client.createRichMenu(menu));
    return richMenuId;
  }

  /** A menu's image goes to the data API host; LINE takes one image per menu, never a replacement. */
  async setRichMenuImage(richMenuId: string, bytes: Buffer, contentType: "image/png" | "image/jpeg"): Promise<void> {
    const blob = new Blob([new Uint8Array(bytes)], { type: contentType });
    await this.call("richmenu image", () => this.blobClient.setRichMenuImage(richMenuId, blob));
  }

  /** The menu every user sees unless linked to another one. */
  async setDefaultRichMenu(richMenuId: string): Promise<void> {
    await this.call("richmenu default", () => this.client.setDefaultRichMenu(richMenuId));
  }

  async listRichMenus(): Promise<messagingApi.RichMenuResponse[]> {
    const list = await this.call("richmenu list", () => this.client.getRichMenuList());
    return list.richmenus ?? [];
  }

  async deleteRichMenu(richMenuId: string): Promise<void> {
    await this.call("richmenu delete", () => this.client.deleteRichMenu(richMenuId));
  }

  // --- rich menu aliases (the setup) and per-user links (the link job) -----

  /**
   * The menu an alias points at; null when there is no such alias. LINE's
   * reference names 404 for that; a 400 to a bare GET can only mean the same.
   */
  async getRichMenuAlias(aliasId: string): Promise<string | null> {
    try {
      const alias = await this.call("richmenu alias get", () => this.client.getRichMenuAlias(aliasId));
      return alias.richMenuId;
    } catch (error) {
      if (error instanceof LineApiError && (error.status === 404 || error.status === 400)) return null;
      throw error;
    }
  }

  async createRichMenuAlias(aliasId: string, richMenuId: string): Promise<void> {
    await this.call("richmenu alias create", () => this.client.createRichMenuAlias({ richMenuAliasId: aliasId, richMenuId }));
  }

  async updateRichMenuAlias(aliasId: string, richMenuId: string): Promise<void> {
    await this.call("richmenu alias update", () => this.client.updateRichMenuAlias(aliasId, { richMenuId }));
  }

  /** This user sees this menu instead of the default; a 404 means the menu is gone. */
  async linkRichMenuToUser(userId: string, richMenuId: string): Promise<void> {
    await this.call("richmenu link", () => this.client.linkRichMenuIdToUser(userId, richMenuId));
  }

  /** Back to the default menu. */
  async unlinkRichMenuFromUser(userId: string): Promise<void> {
    await this.call("richmenu unlink", () => this.client.unlinkRichMenuIdFromUser(userId));
  }

  /**
   * Up to 500 users see this menu (LINE's bulk link; 202: LINE links them
   * shortly after). A 400 refuses the whole call, e.g. for one bad user id.
   */
  async linkRichMenuToUsers(userIds: readonly string[], richMenuId: string): Promise<void> {
    assertBulkSize(userIds);
    await this.call("richmenu bulk link", () => this.client.linkRichMenuIdToUsers({ richMenuId, userIds: [...userIds] }));
  }

  /** Up to 500 users back to the default menu (LINE's bulk unlink, 202). */
  async unlinkRichMenuFromUsers(userIds: readonly string[]): Promise<void> {
    assertBulkSize(userIds);
    await this.call("richmenu bulk unlink", () => this.client.unlinkRichMenuIdFromUsers({ userIds: [...userIds] }));
  }
}

/** LINE's bulk link and unlink take 1 to 500 user ids a call. */
export const RICH_MENU_BULK_MAX = 500;

function assertBulkSize(userIds: readonly string[]): void {
  if (userIds.length === 0 || userIds.length > RICH_MENU_BULK_MAX)
    throw new RangeError(`A bulk rich menu call takes 1 to ${RICH_MENU_BULK_MAX} user ids, not ${userIds.length}`);
}
