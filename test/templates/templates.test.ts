// Every Flex template in flex-templates/ rendered with a realistic sample
// (test/templates/samples/<name>.json: long Thai names, big amounts), checked
// against LINE's limits and kept as a file snapshot
// (test/templates/__snapshots__/<name>.json) so a layout change shows up in
// review. A new template without a sample fails here, by name.
//
// Sample shape:
//   { "row"?: true, "vars": { ... },
//     "lists"?: { "<list>": { "template": "<row template>", "max"?: 12, "items": [ { ... }, ... ] } } }
// Parts (a box or a button spliced into a card by "{{...list}}"; mark their
// samples "row": true) are checked inside their parent's sample; alone they
// only have to render. What is a part is read from the template itself (its
// root is not a bubble or carousel), so an unmarked part is still caught. "max" is the
// most items the code ever splices: the card must stay within limits with
// that many.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { messagingApi } from "@line/bot-sdk";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { lineLimitProblems } from "../../src/line/limits.ts";
import { renderFlexTemplate, TEMPLATES_DIR } from "../../src/templates/flex.ts";

const SAMPLES_DIR = fileURLToPath(new URL("./samples/", import.meta.url));

const Vars = z.record(z.string(), z.string());
const Sample = z.strictObject({
  row: z.boolean().optional(),
  vars: Vars,
  lists: z
    .record(z.string(), z.strictObject({ template: z.string(), max: z.number().int().positive().optional(), items: z.array(Vars) }))
    .optional(),
});
type Sample = z.infer<typeof Sample>;

const jsonNames = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""))
    .sort();

const templateNames = jsonNames(TEMPLATES_DIR);
const sampleNames = jsonNames(SAMPLES_DIR);
const templateSource = (name: string) => readFileSync(`${TEMPLATES_DIR}${name}.json`, "utf8");
const rootType = (name: string) => (JSON.parse(templateSource(name)) as { type?: string }).type;
/** A card LINE can show: a bubble or a carousel. Anything else is a part of one. */
const isCard = (name: string) => rootType(name) === "bubble" || rootType(name) === "carousel";

function loadSample(name: string): Sample {
  const parsed = Sample.safeParse(JSON.parse(readFileSync(`${SAMPLES_DIR}${name}.json`, "utf8")));
  if (!parsed.success) throw new Error(`samples/${name}.json: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The sample's lists as rendered rows; `count` picks how many items each list gets (cycling the sample's). */
function renderLists(
  sample: Sample,
  count: (list: { items: unknown[]; max?: number }) => number = (l) => l.items.length,
  longValues = false,
) {
  return Object.fromEntries(
    Object.entries(sample.lists ?? {}).map(([key, list]) => {
      const n = count(list);
      const items = Array.from({ length: n }, (_, i) => list.items[i % list.items.length]!);
      return [key, items.map((item) => renderFlexTemplate(list.template, longValues ? lengthen(item) : item))];
    }),
  );
}

const LONG = "ก".repeat(100);
/** Every value 100 Thai letters, except those the code never fills with free text (postback data, colours, styles). */
function lengthen(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, /data$|color$|style$/i.test(k) ? v : LONG]));
}

const message = (contents: Record<string, unknown>): messagingApi.FlexMessage => ({
  type: "flex",
  altText: "ตัวอย่างการ์ด",
  contents: contents as unknown as messagingApi.FlexContainer,
});

describe("Flex template samples", () => {
  it("every template has a sample, and every sample a template", () => {
    expect(
      templateNames.filter((n) => !sampleNames.includes(n)),
      "templates without test/templates/samples/<name>.json",
    ).toEqual([]);
    expect(
      sampleNames.filter((n) => !templateNames.includes(n)),
      "samples of no template",
    ).toEqual([]);
  });

  it("every part (a box or button spliced into a card) is rendered inside some card's sample", () => {
    const used = new Set(
      sampleNames.filter((n) => templateNames.includes(n)).flatMap((n) => Object.values(loadSample(n).lists ?? {}).map((l) => l.template)),
    );
    const parts = templateNames.filter((n) => !isCard(n) && sampleNames.includes(n));
    expect(
      parts.filter((n) => !used.has(n)),
      "parts no sample's lists use",
    ).toEqual([]);
  });
});

describe.each(templateNames.filter((n) => sampleNames.includes(n) && isCard(n)))("%s", (name) => {
  const sample = () => loadSample(name);

  it("names only lists the template splices, each with a template and items", () => {
    const spreads = [...templateSource(name).matchAll(/"\{\{\.\.\.(\w+)\}\}"/g)].map((m) => m[1]);
    expect(Object.keys(sample().lists ?? {}).sort()).toEqual([...new Set(spreads)].sort());
    for (const list of Object.values(sample().lists ?? {})) {
      expect(templateNames).toContain(list.template);
      expect(list.items.length).toBeGreaterThan(0);
    }
  });

  it("renders the sample within LINE's limits, as the snapshot", async () => {
    const s = sample();
    const contents = renderFlexTemplate(name, s.vars, renderLists(s));
    const json = JSON.stringify(contents, null, 2);
    expect(json).not.toMatch(/\{\{/);
    expect(lineLimitProblems([message(contents)])).toEqual([]);
    await expect(`${json}\n`).toMatchFileSnapshot(`./__snapshots__/${name}.json`);
  });

  it("stays within LINE's limits with every list at its longest", () => {
    const s = sample();
    const contents = renderFlexTemplate(
      name,
      s.vars,
      renderLists(s, (l) => l.max ?? l.items.length),
    );
    expect(lineLimitProblems([message(contents)])).toEqual([]);
  });

  it("stays within LINE's limits with every free-text value 100 Thai letters long", () => {
    const s = sample();
    const contents = renderFlexTemplate(name, lengthen(s.vars), renderLists(s, undefined, true));
    expect(lineLimitProblems([message(contents)])).toEqual([]);
  });
});

describe.each(templateNames.filter((n) => sampleNames.includes(n) && !isCard(n)))("part %s", (name) => {
  it("renders with its sample's values", () => {
    const contents = renderFlexTemplate(name, loadSample(name).vars);
    expect(JSON.stringify(contents)).not.toMatch(/\{\{/);
    expect(contents.type).toBe(rootType(name));
  });
});

describe("the fund cards at their largest", () => {
  const amount = "฿9,999,999.99";

  it("12 history rows of long Thai text and ฿9,999,999.99 fit one bubble", () => {
    const rows = Array.from({ length: 12 }, (_, i) =>
      renderFlexTemplate("fund-history-row", {
        what: i % 2 ? "สวัสดิการนอนโรงพยาบาล".repeat(4) : "ออมเงิน งวด ต.ค. 2568–ก.ย. 2569".repeat(3),
        date: "28 พ.ย. 2569",
        amount,
        amountColor: "#1B7F5A",
      }),
    );
    const card = renderFlexTemplate(
      "fund-history",
      {
        title: "ประวัติล่าสุด",
        fundName: LONG,
        memberNo: "SSK-0123-004567",
        note: LONG,
        statementData: "m=fund-statement",
        balanceData: "m=fund-balance",
      },
      { rows },
    );
    expect((card.body as { contents: unknown[] }).contents.filter((c) => (c as { type: string }).type === "box")).toHaveLength(12);
    expect(lineLimitProblems([message(card)])).toEqual([]);
  });

  it("a statement of 12 months with year buttons fits one bubble", () => {
    const rows = Array.from({ length: 12 }, () =>
      renderFlexTemplate("fund-statement-row", { month: "พฤศจิกายน", saved: amount, benefits: amount }),
    );
    const years = [2569, 2567, 2566].map((y) =>
      renderFlexTemplate("fund-statement-year", { label: `ปี ${y}`, data: `m=fund-statement&a=${y}` }),
    );
    const card = renderFlexTemplate(
      "fund-statement",
      {
        title: "รายการทั้งปี 2568",
        fundName: LONG,
        memberNo: "SSK-0123-004567",
        totalSaved: "฿119,999,999.88",
        totalBenefits: "฿119,999,999.88",
        note: LONG,
        historyData: "m=fund-history",
        balanceData: "m=fund-balance",
      },
      { rows, years },
    );
    expect(JSON.stringify(card).match(/"label":"ปี 25\d\d"/g)).toHaveLength(3);
    expect(lineLimitProblems([message(card)])).toEqual([]);
  });
});

describe("renderFlexTemplate", () => {
  it("refuses to render with a value or a list missing", () => {
    expect(() => renderFlexTemplate("member-summary", {})).toThrow(/needs/);
    const vars = loadSample("fund-history").vars;
    expect(() => renderFlexTemplate("fund-history", vars)).toThrow(/needs \.\.\.rows/);
  });

  it("splices the rows in order where the list stands, and nothing for an empty list", () => {
    const vars = loadSample("fund-history").vars;
    const row = (what: string) => renderFlexTemplate("fund-history-row", { what, date: "d", amount: "a", amountColor: "#111111" });
    const texts = (card: Record<string, unknown>) => JSON.stringify(card).match(/"(แถว\d)"/g);
    const card = renderFlexTemplate("fund-history", vars, { rows: [row("แถว1"), row("แถว2")] });
    expect(texts(card)).toEqual(['"แถว1"', '"แถว2"']);
    const body = (card.body as { contents: { type: string }[] }).contents;
    expect(body.slice(0, 2).map((c) => c.type)).toEqual(["box", "box"]);
    expect(body[2]!.type).toBe("separator");
    const empty = renderFlexTemplate("fund-history", vars, { rows: [] });
    expect((empty.body as { contents: unknown[] }).contents).toHaveLength(2);
  });

  it("inserts user text as data, never as structure", () => {
    const evil = '"}]},{"type":"button"';
    const contents = renderFlexTemplate("member-summary", {
      title: "t",
      fullName: evil,
      phone: "p",
      council: "c",
      district: "d",
    });
    expect(JSON.stringify(contents)).toContain(JSON.stringify(evil).slice(1, -1));
    expect(JSON.stringify(contents).match(/"type":"button"/g)).toBeNull();
    // A value that looks like a list marker stays text.
    const row = renderFlexTemplate("fund-history-row", { what: "{{...rows}}", date: "{{note}}", amount: "a", amountColor: "#111111" });
    const card = renderFlexTemplate("fund-history", loadSample("fund-history").vars, { rows: [row, row] });
    expect(JSON.stringify(card).match(/"\{\{\.\.\.rows\}\}"/g)).toHaveLength(2);
    expect(JSON.stringify(card).match(/"\{\{note\}\}"/g)).toHaveLength(2);
  });
});
