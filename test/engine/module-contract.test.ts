// The module contract, in memory (no database, no HTTP): typed flows with a
// zod schema, outcomes instead of calls into the engine, refs checked at
// boot. Conversations here run in microseconds; the same engine runs the
// real flows in the transcript tests.
import { emptyConversation } from "../support/memory-chat.ts";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Tx } from "../../src/db/database.ts";
import { Engine } from "../../src/engine/engine.ts";
import { assembleModules, defineFlow, defineModule, FlowDataError } from "../../src/engine/module.ts";
import { endFlow, showMenu, startFlow, withMenu } from "../../src/engine/outcome.ts";
import { decodePostback } from "../../src/engine/postback.ts";
import { entryRef, flowRef } from "../../src/engine/refs.ts";
import { confirmStep } from "../../src/engine/steps.ts";
import type { ConversationState, Input, Outgoing, TurnContext } from "../../src/engine/types.ts";

const say = (text: string) => ({ kind: "text" as const, text });

/** One user's conversation in memory: each turn is what the processor does around the engine. */
function chat(engine: Engine) {
  const state: ConversationState = emptyConversation();
  // No entry or flow below touches the database: a turn without a transaction.
  const ctx = (): TurnContext => ({ tx: null as unknown as Tx, userId: "U1", now: new Date("2026-11-28T03:00:00Z"), state });
  const turn = (input: Input): Promise<Outgoing> => engine.handle(ctx(), input);
  const texts = (out: Outgoing) => out.replies.map((r) => (r.kind === "text" ? r.text : `[${r.altText}]`));
  return {
    state,
    say: (text: string) => turn({ kind: "text", text }),
    tap: async (out: Outgoing, label: string) => {
      const button = out.buttons.find((b) => b.label === label);
      if (button?.kind !== "postback") throw new Error(`no button ${label}: ${out.buttons.map((b) => b.label).join(", ")}`);
      return turn({ kind: "postback", data: button.data });
    },
    texts,
  };
}

const PIPE_FLOW_SCHEMA = z.object({ village: z.string().min(1), people: z.coerce.number().int().positive(), confirmed: z.literal("yes") });
const received: z.output<typeof PIPE_FLOW_SCHEMA>[] = [];

const pipeFlow = defineFlow({
  id: "t-pipe",
  version: 1,
  title: "การแจ้งท่อแตก",
  schema: PIPE_FLOW_SCHEMA,
  steps: [
    {
      id: "village",
      slot: "village",
      prompt: () => [say("หมู่บ้านไหนคะ")],
      expects: "ชื่อหมู่บ้าน",
      input: { kind: "text", parse: (t) => ({ ok: true, value: t }) },
    },
    {
      id: "people",
      slot: "people",
      prompt: () => [say("กี่ครัวเรือนคะ")],
      expects: "จำนวน",
      input: { kind: "text", parse: (t) => (/^\d+$/.test(t) ? { ok: true, value: t } : { ok: false, message: "เป็นตัวเลขค่ะ" }) },
    },
    confirmStep({
      prompt: (ctx) => [say(`ยืนยัน ${String(ctx.state.data.village)}`)],
      expects: "ยืนยัน",
      yes: "ยืนยัน",
      edits: [{ label: "แก้หมู่บ้าน", step: "village" }],
    }),
  ],
  // `data` is typed: people is a number here, no String()/Number() casts.
  complete: async (_ctx, data) => {
    received.push(data);
    return { say: [say(`รับแจ้งแล้ว ${data.people + 0} ครัวเรือน`)], next: showMenu() };
  },
});

const PIPE_ENTRY = entryRef("t-pipe");
const pipeModule = defineModule({
  name: "pipes",
  flows: [pipeFlow],
  entries: [
    { id: PIPE_ENTRY.id, label: "แจ้งท่อแตก", keywords: ["ท่อ"], open: async () => ({ say: [say("แจ้งท่อแตกค่ะ")], next: startFlow(pipeFlow) }) },
    { id: "t-info", label: "ข้อมูล", keywords: ["ข้อมูล"], open: async () => ({ say: [say("ข้อมูลค่ะ")], next: withMenu([]) }) },
    { id: "t-bye", label: "ลาก่อน", keywords: ["ลาก่อน"], open: async () => ({ say: [say("ลาก่อนค่ะ")], next: endFlow }) },
  ],
});

function pipeEngine() {
  return new Engine({ ...assembleModules([pipeModule]), timeoutMinutes: 30 });
}

describe("outcomes", () => {
  it("an entry's startFlow outcome starts the flow after what it says; complete gets typed, validated data", async () => {
    const u = chat(pipeEngine());
    const opened = await u.say("ท่อ");
    expect(u.texts(opened)).toEqual(["แจ้งท่อแตกค่ะ", "หมู่บ้านไหนคะ"]);
    await u.say("บ้านโนน");
    const confirm = await u.say("12");
    expect(u.texts(confirm)).toEqual(["ยืนยัน บ้านโนน"]);
    expect(confirm.buttons.map((b) => b.label)).toEqual(expect.arrayContaining(["ยืนยัน", "แก้หมู่บ้าน"]));
    const done = await u.tap(confirm, "ยืนยัน");
    expect(u.texts(done)[0]).toBe("รับแจ้งแล้ว 12 ครัวเรือน");
    expect(received.at(-1)).toEqual({ village: "บ้านโนน", people: 12, confirmed: "yes" });
    // showMenu: the menu's question and its buttons follow.
    expect(done.buttons.map((b) => decodePostback(b.kind === "postback" ? b.data : "").kind)).toContain("menu");
    expect(u.state.flowId).toBeNull();
  });

  it("withMenu keeps the menu's buttons without its question; endFlow says only what it says", async () => {
    const u = chat(pipeEngine());
    const info = await u.say("ข้อมูล");
    expect(u.texts(info)).toEqual(["ข้อมูลค่ะ"]);
    expect(info.buttons.map((b) => b.label)).toContain("แจ้งท่อแตก");
    const bye = await u.say("ลาก่อน");
    expect(u.texts(bye)).toEqual(["ลาก่อนค่ะ"]);
    expect(bye.buttons).toEqual([]);
  });

  it("answers that break the flow's schema are a programming error, not a silent cast", async () => {
    const broken = defineFlow({
      id: "t-broken",
      version: 1,
      title: "ทดสอบ",
      schema: z.object({ n: z.number() }),
      steps: [
        { id: "n", slot: "n", prompt: () => [say("?")], expects: "x", input: { kind: "text", parse: (t) => ({ ok: true, value: t }) } },
      ],
      complete: async () => ({ say: [say("never")] }),
    });
    const engine = new Engine({
      ...assembleModules(
        [
          defineModule({
            name: "b",
            flows: [broken],
            entries: [{ id: "t-b", label: "b", keywords: ["บี"], open: async () => ({ next: startFlow(broken) }) }],
          }),
        ],
        { refs: { flows: new Set(), entries: new Set() } },
      ),
      timeoutMinutes: 30,
    });
    const u = chat(engine);
    await u.say("บี");
    await expect(u.say("ไม่ใช่ตัวเลข")).rejects.toBeInstanceOf(FlowDataError);
  });
});

describe("assembleModules", () => {
  it("refuses to boot when a ref names no registered flow or entry, or names repeat", () => {
    flowRef("t-nowhere-flow");
    entryRef("t-nowhere-entry");
    expect(() => assembleModules([pipeModule, pipeModule])).toThrow(
      /two flows named t-pipe[\s\S]*two menu entries named t-pipe[\s\S]*no flow t-nowhere-flow[\s\S]*no menu entry t-nowhere-entry/,
    );
  });

  it("checks stand-ins and the emergency entry", () => {
    const lonely = defineModule({
      name: "lonely",
      entries: [{ id: "t-lonely", label: "x", keywords: [], otherwise: { entry: "t-missing" }, open: async () => ({}) }],
    });
    expect(() => assembleModules([lonely], { emergency: "t-flood", refs: { flows: new Set(), entries: new Set() } })).toThrow(
      /stand-in t-missing does not exist[\s\S]*no menu entry t-flood/,
    );
  });
});
