// The transport of LINE's hot calls (reply, push, multicast, the loading
// animation; src/line/gateway.ts): a JSON POST over node:http(s) on a
// keep-alive agent. The SDK's client goes through the global fetch, whose
// machinery (WHATWG headers, streams, a Response per call) cost 0.50 ms of
// CPU per reply against 0.08 ms for a plain keep-alive request (issue 13);
// through the gateway, 0.34 ms before and 0.07 ms now (test/bench/line-call-cost.ts).
// Only the transport changes: the bodies are the SDK's types, serialised as
// the SDK does, and its headers are sent.
import { createRequire } from "node:module";
import http, { type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";

// The User-Agent the SDK sends, so LINE sees one client whichever path a call takes.
const SDK_VERSION: string = createRequire(import.meta.url)("@line/bot-sdk/package.json").version;
export const LINE_USER_AGENT = `@line/bot-sdk/${SDK_VERSION}`;

/**
 * An idle connection is closed after this long, or sooner when the server
 * announces a shorter keep-alive (less a second): the default of undici, the
 * global fetch's client, so a reused connection is no likelier to meet a
 * server that has just closed it than before.
 */
const IDLE_SOCKET_MS = 4_000;

/** Whatever LINE answered: any status, the body as text. */
export interface LineHttpAnswer {
  status: number;
  body: string;
}

/** No complete answer within the call's time. */
export class LineHttpTimeout extends Error {
  override name = "LineHttpTimeout";
  constructor() {
    super("timeout");
  }
}

export class LineHttp {
  private readonly agent: http.Agent;
  // The module, not its request function: looked up at each call, so what
  // patches http.request (nock, in the tests) sees these calls too.
  private readonly transport: typeof http | typeof https;
  private readonly target: { protocol: string; hostname: string; port: string };
  private readonly headers: OutgoingHttpHeaders;

  constructor(baseUrl: string, channelAccessToken: string) {
    const url = new URL(baseUrl);
    this.transport = url.protocol === "https:" ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
    // An IPv6 literal comes bracketed; the socket wants it bare.
    this.target = { protocol: url.protocol, hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"), port: url.port };
    this.headers = {
      "content-type": "application/json",
      authorization: `Bearer ${channelAccessToken}`,
      "user-agent": LINE_USER_AGENT,
    };
  }

  /**
   * POSTs `json` to `path` (resolved against the base URL's origin, as the
   * SDK does). Resolves with any answer LINE gives, error statuses included;
   * rejects on a network error, or with LineHttpTimeout after `timeoutMs`
   * (the request is then cut, so a hung call does not keep its connection).
   */
  post(path: string, json: string, timeoutMs: number, extraHeaders?: OutgoingHttpHeaders): Promise<LineHttpAnswer> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(error);
      };
      const headers = { ...this.headers, "content-length": Buffer.byteLength(json), ...extraHeaders };
      const req = this.transport.request({ ...this.target, path, method: "POST", agent: this.agent, headers }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            body: chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"),
          });
        });
        // The connection closed before the whole answer came.
        res.on("error", fail);
        res.on("close", () => {
          if (!res.complete) fail(new Error("connection closed before the answer was complete"));
        });
      });
      const timer = setTimeout(() => fail(new LineHttpTimeout()), timeoutMs);
      req.on("error", fail);
      req.end(json);
    });
  }
}
