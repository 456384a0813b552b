// Every Flex card (flex-templates/*.json with its sample in
// test/templates/samples, rendered as the bot renders it) drawn at a phone's
// width (360 px, LINE's "mega" bubble of 300 px) in Chromium by the demo chat
// page's own Flex renderer (src/simulator/page/app.js and styles.css). Fails
// when a text or a label is cut (single-line text wider than its place, as
// LINE shows it with "…") or wraps inside a Thai word (a line break that is
// not a word boundary by Intl.Segmenter, as "ยกเลิ/ก"). Skipped, with what
// to install, when Chromium is missing.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderFlexTemplate, TEMPLATES_DIR } from "../../src/templates/flex.ts";
import { BROWSER_TEST_PREREQUISITES } from "./prerequisites.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Skipping the Flex fit test: no Chromium at ${CHROMIUM}. ${BROWSER_TEST_PREREQUISITES}`);

const PAGE_DIR = fileURLToPath(new URL("../../src/simulator/page/", import.meta.url));
const SAMPLES_DIR = fileURLToPath(new URL("../templates/samples/", import.meta.url));
const PHONE_WIDTH = 360;

interface Sample {
  vars: Record<string, string>;
  lists?: Record<string, { template: string; items: Record<string, string>[] }>;
}

const names = readdirSync(TEMPLATES_DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""))
  .filter((n) => ["bubble", "carousel"].includes((JSON.parse(readFileSync(`${TEMPLATES_DIR}${n}.json`, "utf8")) as { type: string }).type))
  .filter((n) => existsSync(`${SAMPLES_DIR}${n}.json`))
  .sort();

function render(name: string): Record<string, unknown> {
  const sample = JSON.parse(readFileSync(`${SAMPLES_DIR}${name}.json`, "utf8")) as Sample;
  const lists = Object.fromEntries(
    Object.entries(sample.lists ?? {}).map(([key, l]) => [key, l.items.map((item) => renderFlexTemplate(l.template, item))]),
  );
  return renderFlexTemplate(name, sample.vars, lists);
}

/** The chat page's Flex renderer alone: `el`, and the section from "--- Flex" to the rich menu. */
function rendererSource(): string {
  const app = readFileSync(`${PAGE_DIR}app.js`, "utf8");
  const el = /function el\(tag[\s\S]*?\n}\n/.exec(app)?.[0];
  const flex = /\/\/ --- Flex:[\s\S]*?(?=\/\/ --- rich menu)/.exec(app)?.[0];
  if (!el || !flex) throw new Error("app.js: el() or the Flex section not found");
  return `${el}\nfunction runAction() {}\n${flex}\nwindow.renderFlexContainer = renderFlexContainer;`;
}

/** In the page: every text and button label that is cut or breaks inside a word. */
interface Problem {
  kind: "cut" | "mid-word";
  text: string;
  lines?: string[];
}

describe.skipIf(!hasChromium)("Flex cards at a phone's width", () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: PHONE_WIDTH, height: 800 }, locale: "th-TH" });
    await page.setContent(
      `<!doctype html><html lang="th"><head><meta charset="utf-8"><style>${readFileSync(`${PAGE_DIR}styles.css`, "utf8")}</style></head>` +
        `<body><main id="messages" style="width:${PHONE_WIDTH}px;display:block"><div id="card"></div></main></body></html>`,
    );
    await page.addScriptTag({ content: rendererSource() });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function problems(card: Record<string, unknown>): Promise<Problem[]> {
    // Typed structurally: the test's TypeScript has no DOM library.
    return page.evaluate((contents) => {
      type El = {
        textContent: string | null;
        scrollWidth: number;
        clientWidth: number;
        classList: { contains(c: string): boolean };
        firstChild: unknown;
      };
      type Doc = {
        getElementById(id: string): { replaceChildren(...n: unknown[]): void; querySelectorAll(s: string): Iterable<El> };
        createRange(): {
          setStart(n: unknown, o: number): void;
          setEnd(n: unknown, o: number): void;
          getClientRects(): ArrayLike<{ top: number; width: number }>;
        };
      };
      const w = globalThis as unknown as { document: Doc; renderFlexContainer(c: unknown): unknown };
      const doc = w.document;
      const host = doc.getElementById("card");
      host.replaceChildren(w.renderFlexContainer(contents));
      const found: { kind: "cut" | "mid-word"; text: string; lines?: string[] }[] = [];
      const words = new Intl.Segmenter("th", { granularity: "word" });
      /** Where each rendered line starts, by the tops of the characters' boxes. */
      const lineStarts = (node: unknown, text: string): number[] => {
        const starts: number[] = [];
        let top: number | null = null;
        const range = doc.createRange();
        for (let i = 0; i < text.length; i++) {
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
          if (rects.length === 0) continue;
          const t = rects[0]!.top;
          if (top !== null && t > top + 2) starts.push(i);
          top = t;
        }
        return starts;
      };
      for (const e of host.querySelectorAll(".flex-text, .flex-button")) {
        const text = e.textContent ?? "";
        if (!text.trim()) continue;
        const single = e.classList.contains("flex-button") || !e.classList.contains("wrap");
        if (e.scrollWidth > e.clientWidth + 1) {
          found.push({ kind: "cut", text });
          continue;
        }
        const node = e.firstChild;
        if (!node || (node as { nodeType?: number }).nodeType !== 3) continue;
        const starts = lineStarts(node, text);
        if (starts.length === 0) continue;
        const lines = [0, ...starts].map((s, i, all) => text.slice(s, all[i + 1] ?? text.length));
        // A button's label or a one-line text on two lines: LINE shows one line and cuts it.
        if (single) {
          found.push({ kind: "cut", text, lines });
          continue;
        }
        // A break inside a Thai word (numbers may wrap at their separators: a value, not a label).
        const breaks = new Set([...words.segment(text)].map((s) => s.index));
        const thaiWordAt = (i: number) => /[\u0E00-\u0E7F]/.test(text[i - 1] ?? "") && /[\u0E00-\u0E7F]/.test(text[i] ?? "");
        if (starts.some((s) => !breaks.has(s) && thaiWordAt(s))) found.push({ kind: "mid-word", text, lines });
      }
      return found;
    }, card);
  }

  it("finds a cut label and a mid-word wrap (the check itself)", async () => {
    const card = {
      type: "bubble",
      body: {
        type: "box",
        layout: "horizontal",
        contents: [
          { type: "text", text: "สภาองค์กรชุมชนตำบลบึงมะลูสภาองค์กรชุมชน", size: "sm" },
          { type: "box", layout: "vertical", flex: 0, width: "30px", contents: [{ type: "text", text: "ยกเลิก", size: "sm", wrap: true }] },
        ],
      },
    };
    const found = await problems(card);
    expect(found.map((p) => p.kind)).toEqual(["cut", "mid-word"]);
    expect(found[1]!.lines!.length).toBeGreaterThan(1);
  });

  it.each(names)("%s: no label cut, no Thai word broken across lines", async (name) => {
    const found = await problems(render(name));
    expect(found.map((p) => `${p.kind}: ${p.lines?.join(" / ") ?? p.text}`)).toEqual([]);
  });
});
