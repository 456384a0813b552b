// What every stand-in for LINE's Messaging API shares (the local-mode
// simulator, the nock fake and the HTTP fake of the tests): one check of a
// request against LINE's OpenAPI file and the rules it cannot express,
// LINE's answers (status codes and bodies as LINE words them), and the two
// pieces of state LINE keeps per request: used reply tokens and accepted
// retry keys. Keeping them in one place keeps the three fakes from drifting
// apart, and away from the bot's own idea of what LINE accepts.
import { randomUUID } from "node:crypto";
import { lineRuleProblems } from "./rules.ts";
import { messagingApiSpec, type Operation, type SchemaProblem } from "./spec.ts";

export type { SchemaProblem } from "./spec.ts";

export interface LineAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** LINE's own wording for the answers a bot can get (messaging API reference, error responses). */
export const LINE_ANSWERS = {
  rateLimited: { status: 429, body: { message: "The API rate limit has been exceeded. Try again later." } },
  monthlyLimit: { status: 429, body: { message: "You have reached your monthly limit." } },
  invalidReplyToken: { status: 400, body: { message: "Invalid reply token" } },
  retryKeyAccepted: { status: 409, body: { message: "The retry key is already accepted" } },
  unauthorized: {
    status: 401,
    body: { message: "Authentication failed. Confirm that the access token in the authorization header is valid." },
  },
  notFound: { status: 404, body: { message: "Not found" } },
  serverError: { status: 500, body: { message: "An error occurred in the server" } },
} as const satisfies Record<string, LineAnswer>;

/** The body LINE answers for a status, when a test makes a fake fail without saying how (429: the rate limit). */
export function lineErrorBody(status: number): Record<string, unknown> {
  if (status === 429) return { ...LINE_ANSWERS.rateLimited.body };
  if (status === 404) return { ...LINE_ANSWERS.notFound.body };
  if (status === 401) return { ...LINE_ANSWERS.unauthorized.body };
  if (status >= 500) return { ...LINE_ANSWERS.serverError.body };
  return { message: "The request body has 1 error(s)", details: [] };
}

/** LINE's 400 for a body with problems: `{ message, details: [{ message, property }] }`. */
export function badRequest(details: SchemaProblem[]): LineAnswer {
  return { status: 400, body: { message: `The request body has ${details.length} error(s)`, details } };
}

/** LINE sends one on every answer; support asks for it. */
export const newLineRequestId = (): string => randomUUID();

export interface LineRequestInput {
  method: string;
  /** Path from the host root, e.g. /v2/bot/message/push (a query is ignored). */
  path: string;
  headers?: Record<string, string | string[] | undefined>;
  /** The body parsed as JSON; `undefined` when there is none, INVALID_JSON when it did not parse. */
  body?: unknown;
}

/** A body that arrived but was not JSON. */
export const INVALID_JSON = Symbol("invalid JSON");

export interface CheckedRequest {
  operation: Operation | undefined;
  /** LINE's answer when it refuses the request before acting on it; null: valid. */
  refusal: LineAnswer | null;
  problems: SchemaProblem[];
}

const header = (headers: LineRequestInput["headers"], name: string): string | undefined => {
  const value = headers?.[name] ?? headers?.[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Checks a request as LINE would before acting on it: a known endpoint, the
 * headers it allows (X-Line-Retry-Key only where LINE takes one, as a UUID),
 * and the JSON body against its schema in messaging-api.yml plus the rules
 * of ./rules.ts. Stateless: reply tokens and retry keys are LineLedger's.
 */
export function checkLineRequest(request: LineRequestInput): CheckedRequest {
  const spec = messagingApiSpec();
  const operation = spec.operation(request.method, request.path);
  if (!operation) return { operation, refusal: { ...LINE_ANSWERS.notFound }, problems: [] };
  const retryKey = header(request.headers, "x-line-retry-key");
  if (retryKey !== undefined) {
    const schema = operation.headers.get("x-line-retry-key");
    const problems = schema
      ? spec.validateValue(schema, retryKey, "X-Line-Retry-Key")
      : [{ property: "X-Line-Retry-Key", message: "This endpoint does not accept a retry key" }];
    if (problems.length > 0) {
      return {
        operation,
        refusal: { status: 400, body: { message: "The value of the X-Line-Retry-Key header is invalid", details: problems } },
        problems,
      };
    }
  }
  const expects = operation.body;
  if (!expects?.json) return { operation, refusal: null, problems: [] };
  if (request.body === INVALID_JSON) {
    const problems = [{ property: "", message: "The request body is not valid JSON" }];
    return { operation, refusal: { status: 400, body: { message: "The request body has invalid JSON", details: problems } }, problems };
  }
  if (request.body === undefined || request.body === "") {
    if (!expects.required) return { operation, refusal: null, problems: [] };
    const problems = [{ property: "", message: "must be specified" }];
    return { operation, refusal: badRequest(problems), problems };
  }
  const problems = [
    ...(expects.schemaRef ? spec.validate(expects.schemaRef, request.body) : []),
    ...lineRuleProblems(operation.operationId, request.body),
  ];
  return { operation, refusal: problems.length > 0 ? badRequest(problems) : null, problems };
}

/**
 * Compiles the schemas of the endpoints the bot calls most (ajv compiles on
 * first use, which takes seconds on a busy machine). A stand-in calls this
 * when it starts, so its first answer is not slower than the bot's timeout.
 */
export function warmLineChecks(): void {
  const messages = [{ type: "text", text: "warm" }];
  checkLineRequest({ method: "POST", path: "/v2/bot/message/reply", body: { replyToken: "warm", messages } });
  checkLineRequest({ method: "POST", path: "/v2/bot/message/push", body: { to: "Uwarm", messages } });
  checkLineRequest({ method: "POST", path: "/v2/bot/message/multicast", body: { to: ["Uwarm"], messages } });
}

/** The state LINE keeps across requests: single-use reply tokens, accepted retry keys. */
export class LineLedger {
  private readonly usedReplyTokens = new Set<string>();
  /** Retry key → the request id of the request that was accepted with it. */
  private readonly acceptedRetryKeys = new Map<string, string>();

  /** LINE's answer if it refuses for a token or key already spent; null: go on. */
  refusal(request: { replyToken?: string; retryKey?: string }): LineAnswer | null {
    if (request.replyToken !== undefined && this.usedReplyTokens.has(request.replyToken)) return { ...LINE_ANSWERS.invalidReplyToken };
    const accepted = request.retryKey ? this.acceptedRetryKeys.get(request.retryKey) : undefined;
    if (accepted) return { ...LINE_ANSWERS.retryKeyAccepted, headers: { "x-line-accepted-request-id": accepted } };
    return null;
  }

  /** The request was taken: its reply token is spent, its retry key answers 409 from now on. */
  accept(request: { replyToken?: string; retryKey?: string }, requestId: string): void {
    if (request.replyToken !== undefined) this.usedReplyTokens.add(request.replyToken);
    if (request.retryKey) this.acceptedRetryKeys.set(request.retryKey, requestId);
  }

  isReplyTokenUsed(token: string): boolean {
    return this.usedReplyTokens.has(token);
  }
}

/** LINE's 200 for a reply or push: one sent message per message. */
export function sentMessages(count: number, nextId: () => string): Record<string, unknown> {
  return { sentMessages: Array.from({ length: count }, () => ({ id: nextId(), quoteToken: randomUUID().replace(/-/g, "") })) };
}

/** "messages[0].text: must be specified": one line per problem, for logs and test failures. */
export const problemLines = (problems: SchemaProblem[]): string[] =>
  problems.map((p) => (p.property ? `${p.property}: ${p.message}` : p.message));
