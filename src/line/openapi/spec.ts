// Loads LINE's OpenAPI files (copied beside this file) and validates JSON
// against their schemas with ajv.
//
// OpenAPI 3.0 polymorphism does not map onto JSON Schema by itself: a base
// schema (Message, Action, FlexComponent…) names its subtypes in
// `discriminator.mapping`, and each subtype includes the base through
// `allOf`. Here every such base becomes two schemas: `<Name>` dispatches on
// the tag with ajv's own `discriminator` keyword over one branch per mapped
// type (so an unknown `type` is refused, as LINE refuses it), and
// `<Name>__base` is the plain base that subtypes include (a subtype that
// included the dispatcher would recurse into itself).
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Json = Record<string, unknown>;

export interface SchemaProblem {
  message: string;
  /** LINE's spelling of where: `messages[0].contents.body.layout`. */
  property: string;
}

export interface Operation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  /** Header parameters the operation declares, lower-cased, with their schemas. */
  headers: Map<string, Json>;
  body: { required: boolean; json: boolean; schemaRef: string | null } | null;
}

const HERE = new URL(".", import.meta.url);
const BASE = "__base";

export class OpenApiSpec {
  readonly operations: Operation[];
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(
    readonly id: string,
    document: Json,
  ) {
    const schemas = ((document.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
    const definitions = convertDefinitions(schemas);
    this.ajv = new Ajv({
      allErrors: true,
      discriminator: true,
      // The files carry OpenAPI's own keywords (example, externalDocs, x-…).
      strict: false,
      logger: false,
      // For LINE's wording of a range ("Size must be between 1 and 5") the
      // error needs the schema it failed.
      verbose: true,
    });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: id, definitions });
    this.operations = readOperations(document);
  }

  static load(file: string): OpenApiSpec {
    const document = parse(readFileSync(new URL(file, HERE), "utf8")) as Json;
    return new OpenApiSpec(file, document);
  }

  /** The operation LINE would route this request to, or undefined (LINE: 404). */
  operation(method: string, path: string): Operation | undefined {
    const bare = path.split("?")[0]!;
    const upper = method.toUpperCase();
    return this.operations.find((o) => o.method === upper && o.pattern.test(bare));
  }

  /** Problems of `value` against a named schema ("ReplyMessageRequest"); empty when it validates. */
  validate(schemaName: string, value: unknown): SchemaProblem[] {
    return this.validateRef(`#/definitions/${schemaName}`, value);
  }

  /** Problems of a header value against its schema, e.g. X-Line-Retry-Key's uuid. */
  validateValue(schema: Json, value: unknown, property: string): SchemaProblem[] {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(convert(schema));
      this.compiled.set(key, validate);
    }
    return validate(value) ? [] : describe(validate.errors ?? [], property);
  }

  private validateRef(ref: string, value: unknown): SchemaProblem[] {
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.getSchema(`${this.id}${ref}`);
      if (!validate) throw new Error(`${this.id} has no schema ${ref}`);
      this.compiled.set(ref, validate);
    }
    return validate(value) ? [] : describe(validate.errors ?? [], "");
  }
}

const schemaName = (ref: string) => ref.replace("#/components/schemas/", "");

function convertDefinitions(schemas: Record<string, Json>): Record<string, Json> {
  const polymorphic = new Set(
    Object.entries(schemas)
      .filter(([, s]) => s.discriminator)
      .map(([name]) => name),
  );
  const out: Record<string, Json> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const converted = convert(schema, polymorphic);
    if (!polymorphic.has(name)) {
      out[name] = converted;
      continue;
    }
    const { discriminator, ...base } = converted as Json & { discriminator: { propertyName: string; mapping?: Record<string, string> } };
    out[name + BASE] = base;
    const tag = discriminator.propertyName;
    const mapping = (schema.discriminator as { mapping?: Record<string, string> }).mapping ?? {};
    out[name] = {
      type: "object",
      required: [tag],
      properties: { [tag]: { type: "string", enum: Object.keys(mapping) } },
      discriminator: { propertyName: tag },
      oneOf: Object.entries(mapping).map(([value, ref]) => ({
        type: "object",
        required: [tag],
        properties: { [tag]: { const: value } },
        allOf: [{ $ref: `#/definitions/${schemaName(ref)}` }],
      })),
    };
  }
  return out;
}

/**
 * OpenAPI → ajv: refs point into `definitions`; an `allOf` that includes a
 * polymorphic base takes its plain half.
 */
function convert(node: unknown, polymorphic: Set<string> = new Set(), inAllOf = false): Json {
  if (Array.isArray(node)) return node.map((n) => convert(n, polymorphic, inAllOf)) as unknown as Json;
  if (node === null || typeof node !== "object") return node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === "$ref" && typeof value === "string") {
      const name = schemaName(value);
      out.$ref = `#/definitions/${name}${inAllOf && polymorphic.has(name) ? BASE : ""}`;
    } else if (key === "allOf" && Array.isArray(value)) {
      out.allOf = value.map((item) => convert(item, polymorphic, true));
    } else if (key === "example" || key === "examples" || key === "externalDocs" || key === "description") {
      // Prose and samples: nothing to validate.
    } else if (key === "properties" && value && typeof value === "object") {
      out.properties = Object.fromEntries(Object.entries(value as Json).map(([p, s]) => [p, convert(s, polymorphic)]));
    } else {
      out[key] = convert(value, polymorphic);
    }
  }
  return out;
}

function readOperations(document: Json): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
    const shared = (item.parameters ?? []) as Json[];
    for (const [method, op] of Object.entries(item)) {
      if (method === "parameters" || typeof op !== "object" || op === null) continue;
      const o = op as Json;
      const headers = new Map<string, Json>();
      for (const p of [...shared, ...((o.parameters ?? []) as Json[])]) {
        if (p.in === "header") headers.set(String(p.name).toLowerCase(), (p.schema ?? {}) as Json);
      }
      const requestBody = o.requestBody as Json | undefined;
      const content = (requestBody?.content ?? {}) as Record<string, Json>;
      const json = content["application/json"];
      const ref = (json?.schema as Json | undefined)?.$ref;
      operations.push({
        operationId: String(o.operationId),
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
        headers,
        body: requestBody
          ? { required: requestBody.required === true, json: Boolean(json), schemaRef: typeof ref === "string" ? schemaName(ref) : null }
          : null,
      });
    }
  }
  // A literal segment wins over a parameter, as LINE routes /richmenu/list
  // before /richmenu/{richMenuId}.
  const params = (o: Operation) => (o.template.match(/\{/g) ?? []).length;
  return operations.sort((a, b) => params(a) - params(b));
}

/** ajv's errors in LINE's words and property paths. */
function describe(errors: ErrorObject[], prefix: string): SchemaProblem[] {
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const e of errors) {
    // A discriminated branch that failed is already described by its own
    // errors; the summary lines repeat them without saying more.
    if (e.keyword === "oneOf" || e.keyword === "allOf" || e.keyword === "if") continue;
    let property = prefix + pointerToProperty(e.instancePath);
    let message = e.message ?? e.keyword;
    if (e.keyword === "required") {
      property = join(property, String((e.params as { missingProperty: string }).missingProperty));
      message = "must be specified";
    } else if (e.keyword === "enum") {
      message = `Must be one of the following values: [${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")}]`;
    } else if (e.keyword === "minItems" || e.keyword === "maxItems" || e.keyword === "minLength" || e.keyword === "maxLength") {
      const what = e.keyword.endsWith("Items") ? "Size" : "Length";
      const kind = e.keyword.endsWith("Items") ? "Items" : "Length";
      const parent = (e.parentSchema ?? {}) as Json;
      message = `${what} must be between ${Number(parent[`min${kind}`] ?? 0)} and ${String(parent[`max${kind}`] ?? "∞")}`;
    } else if (e.keyword === "discriminator" || e.keyword === "const") {
      continue; // a missing or unknown tag is reported once, by required or enum
    }
    const key = `${property}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ message, property });
  }
  return problems;
}

function join(base: string, name: string): string {
  return base ? `${base}.${name}` : name;
}

/** `/messages/0/contents/body` → `messages[0].contents.body`. */
export function pointerToProperty(pointer: string): string {
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out;
}

let messaging: OpenApiSpec | undefined;
let webhook: OpenApiSpec | undefined;

/** messaging-api.yml, loaded and compiled on first use. */
export function messagingApiSpec(): OpenApiSpec {
  messaging ??= OpenApiSpec.load("messaging-api.yml");
  return messaging;
}

/** webhook.yml, loaded and compiled on first use. */
export function webhookSpec(): OpenApiSpec {
  webhook ??= OpenApiSpec.load("webhook.yml");
  return webhook;
}
