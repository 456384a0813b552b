// The engine's location, multi-select and image inputs on a toy flow, run
// without a database (the flow never touches ctx.tx), and how render.ts
// turns the location button into a LINE quick reply.
import { emptyConversation } from "../support/memory-chat.ts";
import { describe, expect, it } from "vitest";
import type { Tx } from "../../src/db/database.ts";
import { Engine, IMAGE_SKIP, MULTI_DONE } from "../../src/engine/engine.ts";
import { decodePostback } from "../../src/engine/postback.ts";
import type { ConversationState, FlowData, Input, Outgoing, Button } from "../../src/engine/types.ts";
import { lineLimitProblems } from "../../src/line/limits.ts";
import { renderOutgoing } from "../../src/line/render.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });

function setup(options: { parseTyped?: boolean } = {}) {
  let completed: FlowData | null = null;
  const engine = new Engine({
    timeoutMinutes: 30,
    menu: [{ id: "toy", label: "ทดลอง", keywords: ["ทดลอง"], open: (ctx) => engine.startFlow(ctx, "toy") }],
    flows: [
      {
        id: "toy",
        version: 1,
        title: "การทดลอง",
        steps: [
          {
            id: "where",
            slot: "where",
            prompt: () => [text("อยู่ที่ไหน")],
            expects: "ส่งตำแหน่ง",
            input: {
              kind: "location",
              label: "ส่งตำแหน่ง",
              ...(options.parseTyped ? { parse: (t: string) => ({ ok: true as const, value: { village: t } }) } : {}),
            },
          },
          {
            id: "fruits",
            slot: "fruits",
            prompt: () => [text("ผลไม้")],
            expects: "เลือกผลไม้",
            input: {
              kind: "multi",
              choices: () => [
                { label: "มะม่วง", value: "mango" },
                { label: "กล้วย", value: "banana" },
                { label: "ไม่เอา", value: "none" },
              ],
              doneLabel: "เสร็จแล้ว",
              none: "none",
            },
          },
          {
            id: "photo",
            slot: "photos",
            prompt: () => [text("รูป")],
            expects: "ส่งรูป",
            input: { kind: "image", skipLabel: "ข้าม" },
          },
        ],
        async complete(_ctx, data) {
          completed = data;
          return { replies: [text("จบ")], buttons: [] };
        },
      },
    ],
  });
  const state: ConversationState = emptyConversation();
  const ctx = { tx: {} as Tx, userId: "U1", now: new Date("2026-11-28T03:00:00Z"), state };
  let last: Outgoing = { replies: [], buttons: [] };
  const send = async (input: Input) => (last = await engine.handle(ctx, input));
  const say = (t: string) => send({ kind: "text", text: t });
  const labels = () => last.buttons.map((b) => b.label);
  const tap = (label: string) => {
    const b = last.buttons.find((x) => x.label === label);
    if (b?.kind !== "postback") throw new Error(`no postback ${label} in ${labels().join("|")}`);
    return send({ kind: "postback", data: b.data });
  };
  const said = () => last.replies.map((r) => (r.kind === "text" ? r.text : r.altText)).join("\n");
  return { state, send, say, tap, labels, said, last: () => last, completed: () => completed };
}

describe("location input", () => {
  it("offers LINE's location quick reply and stores a location message", async () => {
    const t = setup();
    await t.say("ทดลอง");
    expect(t.last().buttons[0]).toEqual({ kind: "location", label: "ส่งตำแหน่ง" });
    expect(t.labels()).toEqual(["ส่งตำแหน่ง", "ยกเลิก"]);
    await t.send({ kind: "location", latitude: 15.1, longitude: 104.3, title: "บ้าน", address: "ต.หนึ่ง" });
    expect(t.state.data.where).toEqual({ latitude: 15.1, longitude: 104.3, address: "ต.หนึ่ง" });
    expect(t.state.stepId).toBe("fruits");
  });

  it("without a parse function, typed text and other kinds are misses", async () => {
    const t = setup();
    await t.say("ทดลอง");
    await t.say("บ้านโนนสูง");
    expect(t.said()).toContain("“ส่งตำแหน่ง”");
    expect(t.state.stepId).toBe("where");
    await t.send({ kind: "image", messageId: "m1" });
    expect(t.said()).toMatch(/ยังไม่ต้องใช้รูป/);
    expect(t.state.stepId).toBe("where");
  });

  it("with a parse function, typed text answers", async () => {
    const t = setup({ parseTyped: true });
    await t.say("ทดลอง");
    await t.say("บ้านโนนสูง");
    expect(t.state.data.where).toEqual({ village: "บ้านโนนสูง" });
  });

  it("renders as a location action that LINE accepts", () => {
    const buttons: Button[] = [{ kind: "location", label: "ส่งตำแหน่ง" }];
    const messages = renderOutgoing({ replies: [text("ส่งตำแหน่งได้เลย")], buttons });
    expect(messages[0]?.quickReply?.items?.[0]).toEqual({ type: "action", action: { type: "location", label: "ส่งตำแหน่ง" } });
    expect(lineLimitProblems(messages)).toEqual([]);
  });
});

describe("multi-select input", () => {
  async function atFruits() {
    const t = setup();
    await t.say("ทดลอง");
    await t.send({ kind: "location", latitude: 1, longitude: 2 });
    return t;
  }

  it("toggles by tap and by typed label, ticks the selection, stores it on done", async () => {
    const t = await atFruits();
    expect(t.labels()).toEqual(["มะม่วง", "กล้วย", "ไม่เอา", "เสร็จแล้ว", "ย้อนกลับ", "ยกเลิก"]);
    await t.tap("มะม่วง");
    expect(t.labels().slice(0, 3)).toEqual(["✓ มะม่วง", "กล้วย", "ไม่เอา"]);
    expect(t.said()).toContain("เลือกแล้ว: มะม่วง");
    await t.say("กล้วย");
    expect(t.labels().slice(0, 3)).toEqual(["✓ มะม่วง", "✓ กล้วย", "ไม่เอา"]);
    await t.tap("✓ มะม่วง");
    expect(t.labels().slice(0, 3)).toEqual(["มะม่วง", "✓ กล้วย", "ไม่เอา"]);
    await t.tap("เสร็จแล้ว");
    expect(t.state.data.fruits).toEqual(["banana"]);
    expect(t.state.stepId).toBe("photo");
  });

  it("'none' excludes the others, and back starts from the earlier answer", async () => {
    const t = await atFruits();
    await t.tap("มะม่วง");
    await t.tap("ไม่เอา");
    expect(t.labels().slice(0, 3)).toEqual(["มะม่วง", "กล้วย", "✓ ไม่เอา"]);
    await t.tap("มะม่วง");
    expect(t.labels().slice(0, 3)).toEqual(["✓ มะม่วง", "กล้วย", "ไม่เอา"]);
    await t.say("เสร็จแล้ว");
    expect(t.state.data.fruits).toEqual(["mango"]);
    await t.say("ย้อนกลับ");
    expect(t.state.stepId).toBe("fruits");
    expect(t.labels().slice(0, 3)).toEqual(["✓ มะม่วง", "กล้วย", "ไม่เอา"]);
  });

  it("a button of an earlier prompt is stale once a toggle re-prompts", async () => {
    const t = await atFruits();
    const old = t.last().buttons.find((b) => b.label === "กล้วย");
    await t.tap("มะม่วง");
    await t.send({ kind: "postback", data: (old as { data: string }).data });
    expect(t.said()).toMatch(/หมดอายุ/);
    expect(t.labels()[1]).toBe("กล้วย");
  });

  it("done with nothing selected is an empty answer unless required", async () => {
    const t = await atFruits();
    const done = t.last().buttons.find((b) => b.label === "เสร็จแล้ว") as { data: string };
    expect(decodePostback(done.data)).toMatchObject({ kind: "answer", value: MULTI_DONE });
    await t.tap("เสร็จแล้ว");
    expect(t.state.data.fruits).toEqual([]);
  });
});

describe("image input", () => {
  async function atPhoto() {
    const t = setup();
    await t.say("ทดลอง");
    await t.send({ kind: "location", latitude: 1, longitude: 2 });
    await t.tap("เสร็จแล้ว");
    expect(t.state.stepId).toBe("photo");
    return t;
  }

  it("takes one image as the answer", async () => {
    const t = await atPhoto();
    await t.send({ kind: "image", messageId: "m1" });
    expect(t.completed()).toMatchObject({ photos: ["m1"] });
  });

  it("takes an image set as one answer once all of it arrived, quietly in between", async () => {
    const t = await atPhoto();
    const set = (index: number) => ({ id: "set-1", index, total: 3 });
    await t.send({ kind: "image", messageId: "m1", imageSet: set(1) });
    expect(t.last()).toEqual({ replies: [], buttons: [] });
    await t.send({ kind: "image", messageId: "m2", imageSet: set(2) });
    expect(t.last()).toEqual({ replies: [], buttons: [] });
    expect(t.state.stepId).toBe("photo");
    await t.send({ kind: "image", messageId: "m3", imageSet: set(3) });
    expect(t.completed()).toMatchObject({ photos: ["m1", "m2", "m3"] });
  });

  it("skips by button or typed word; other text is a miss", async () => {
    const t = await atPhoto();
    await t.say("สวัสดี");
    expect(t.said()).toContain("“ข้าม”");
    expect(t.state.stepId).toBe("photo");
    const skip = t.last().buttons.find((b) => b.label === "ข้าม") as { data: string };
    expect(decodePostback(skip.data)).toMatchObject({ value: IMAGE_SKIP });
    await t.say("ข้าม");
    expect(t.completed()).toMatchObject({ photos: [] });
  });
});
