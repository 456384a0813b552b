// The image input's `max`: an image set larger than the step allows keeps
// its first photos and says so once; the rest of the set stays quiet. With
// doneLabel, photos sent one at a time add up until done or the maximum. A toy
// flow without a database (the flow never touches ctx.tx).
import { emptyConversation } from "../support/memory-chat.ts";
import { describe, expect, it } from "vitest";
import type { Tx } from "../../src/db/database.ts";
import { Engine } from "../../src/engine/engine.ts";
import type { ConversationState, FlowData, Input, Outgoing } from "../../src/engine/types.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });
const TOO_MANY = "เก็บไว้ 2 รูปแรกค่ะ";

function setup(image: { max?: number; tooMany?: string; doneLabel?: string }) {
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
            id: "photo",
            slot: "photos",
            prompt: () => [text("ส่งรูปมาได้ค่ะ")],
            expects: "ส่งรูป",
            input: { kind: "image", skipLabel: "ข้าม", ...image },
          },
          {
            id: "name",
            slot: "name",
            prompt: () => [text("ชื่ออะไรคะ")],
            expects: "พิมพ์ชื่อ",
            input: { kind: "text", parse: (t) => ({ ok: true, value: t }) },
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
  const said = () => last.replies.map((r) => (r.kind === "text" ? r.text : r.altText));
  const set = (index: number, total: number) => ({ id: "set-1", index, total });
  const sendSet = async (total: number) => {
    const replies: string[][] = [];
    for (let i = 1; i <= total; i++) {
      await send({ kind: "image", messageId: `m${i}`, imageSet: set(i, total) });
      replies.push(said());
    }
    return replies;
  };
  return { state, send, said, sendSet, completed: () => completed };
}

describe("image input with a maximum", () => {
  it("keeps the first photos of a larger set and says so once, when the set is complete", async () => {
    const t = setup({ max: 2, tooMany: TOO_MANY });
    await t.send({ kind: "text", text: "ทดลอง" });
    const replies = await t.sendSet(4);
    expect(replies.slice(0, 3)).toEqual([[], [], []]);
    expect(replies[3]).toEqual([TOO_MANY, "ชื่ออะไรคะ"]);
    expect(t.state.data.photos).toEqual(["m1", "m2"]);
    expect(t.state.stepId).toBe("name");
  });

  it("takes a set of exactly the maximum without a word about it", async () => {
    const t = setup({ max: 2, tooMany: TOO_MANY });
    await t.send({ kind: "text", text: "ทดลอง" });
    const replies = await t.sendSet(2);
    expect(replies[1]).toEqual(["ชื่ออะไรคะ"]);
    expect(t.state.data.photos).toEqual(["m1", "m2"]);
  });

  it("without a maximum keeps the whole set", async () => {
    const t = setup({});
    await t.send({ kind: "text", text: "ทดลอง" });
    await t.sendSet(4);
    expect(t.state.data.photos).toEqual(["m1", "m2", "m3", "m4"]);
  });

  it("a maximum without its message trims quietly", async () => {
    const t = setup({ max: 3 });
    await t.send({ kind: "text", text: "ทดลอง" });
    const replies = await t.sendSet(5);
    expect(replies[4]).toEqual(["ชื่ออะไรคะ"]);
    await t.send({ kind: "text", text: "สมศรี" });
    expect(t.completed()).toMatchObject({ photos: ["m1", "m2", "m3"], name: "สมศรี" });
  });
});

describe("image input taking several photos (doneLabel)", () => {
  const PROGRESS = (n: number, room: number) => `ได้รับรูปแล้ว ${n} รูป ส่งเพิ่มได้อีก ${room} รูป หรือแตะ “เสร็จแล้ว” ค่ะ`;

  it("adds up photos sent one at a time, says how many are in, and ends at เสร็จแล้ว", async () => {
    const t = setup({ max: 5, tooMany: TOO_MANY, doneLabel: "เสร็จแล้ว" });
    await t.send(text("ทดลอง"));
    await t.send({ kind: "image", messageId: "a" });
    expect(t.said()).toEqual([PROGRESS(1, 4)]);
    await t.send({ kind: "image", messageId: "b" });
    expect(t.said()).toEqual([PROGRESS(2, 3)]);
    expect(t.state.stepId).toBe("photo");
    // The same message again (a redelivery) is not a third photo.
    await t.send({ kind: "image", messageId: "b" });
    expect(t.said()).toEqual([]);
    await t.send(text("ข้าม"));
    // ข้าม is no answer once photos are in: the count again.
    expect(t.said()).toEqual([PROGRESS(2, 3), "กรุณาส่งรูปค่ะ"]);
    await t.send(text("เสร็จแล้ว"));
    expect(t.said()).toEqual(["ชื่ออะไรคะ"]);
    expect(t.state.data.photos).toEqual(["a", "b"]);
  });

  it("counts an image set once it is all in, and stops at the maximum", async () => {
    const t = setup({ max: 3, tooMany: TOO_MANY, doneLabel: "เสร็จแล้ว" });
    await t.send(text("ทดลอง"));
    await t.send({ kind: "image", messageId: "a" });
    const replies = await t.sendSet(2);
    expect(replies).toEqual([[], ["ชื่ออะไรคะ"]]);
    expect(t.state.data.photos).toEqual(["a", "m1", "m2"]);
  });

  it("keeps the first photos when a set goes past the maximum, says so once, and the rest of the set stays quiet", async () => {
    const t = setup({ max: 2, tooMany: TOO_MANY, doneLabel: "เสร็จแล้ว" });
    await t.send(text("ทดลอง"));
    await t.send({ kind: "image", messageId: "a" });
    const replies = await t.sendSet(3);
    expect(replies).toEqual([[TOO_MANY, "ชื่ออะไรคะ"], [], []]);
    expect(t.state.data.photos).toEqual(["a", "m1"]);
  });

  it("a set of two after one photo: quiet in between, then the count", async () => {
    const t = setup({ max: 5, doneLabel: "เสร็จแล้ว" });
    await t.send(text("ทดลอง"));
    await t.send({ kind: "image", messageId: "a" });
    expect(await t.sendSet(2)).toEqual([[], [PROGRESS(3, 2)]]);
  });
});
