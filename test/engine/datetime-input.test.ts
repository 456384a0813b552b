// The engine's "datetime" input on a toy flow without a database: LINE's
// datetime picker as a quick reply (initial, min, max in Bangkok wall time),
// its postback answer (params.datetime) stored as an instant, typed Thai
// dates through the optional parse, bounds and checks, choices, stale picks;
// and the parsing helpers of src/engine/datetime.ts.
import { emptyConversation } from "../support/memory-chat.ts";
import { describe, expect, it } from "vitest";
import type { Tx } from "../../src/db/database.ts";
import { parsePickerValue, parseThaiDateTime, pickerValue } from "../../src/engine/datetime.ts";
import { DATETIME_PICKED, Engine } from "../../src/engine/engine.ts";
import { decodePostback, encodePostback } from "../../src/engine/postback.ts";
import type { ConversationState, FlowData, Input, Outgoing } from "../../src/engine/types.ts";
import { lineLimitProblems } from "../../src/line/limits.ts";
import { renderOutgoing } from "../../src/line/render.ts";

const text = (t: string) => ({ kind: "text" as const, text: t });
const NOW = new Date("2026-11-28T03:00:00Z"); // 10:00 in Bangkok

function setup() {
  let completed: FlowData | null = null;
  const parse = (t: string) => {
    const at = parseThaiDateTime(t);
    return at ? { ok: true as const, value: at } : { ok: false as const, message: "พิมพ์วันเวลาไม่ถูกค่ะ" };
  };
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
            id: "start",
            slot: "start",
            prompt: () => [text("เริ่มเมื่อไร")],
            expects: "เลือกวันเวลา",
            input: {
              kind: "datetime",
              label: "เลือกวันเวลา",
              parse,
              min: (ctx) => ctx.now,
              initial: (ctx) => new Date(ctx.now.getTime() + 86_400_000),
              invalid: "วันเวลาต้องอยู่ในอนาคตค่ะ",
            },
          },
          {
            id: "end",
            slot: "end",
            prompt: () => [text("เลิกเมื่อไร")],
            expects: "เลือกเวลาเลิก",
            input: {
              kind: "datetime",
              label: "เลือกเวลาเลิก",
              invalid: "เลือกจากปุ่มค่ะ",
              check: (at, ctx) => (at.getTime() <= Date.parse(String(ctx.state.data.start)) ? "ต้องหลังเวลาเริ่มค่ะ" : null),
              choices: (ctx) => [
                { label: "2 ชั่วโมง", value: new Date(Date.parse(String(ctx.state.data.start)) + 7_200_000).toISOString() },
                { label: "ไม่กำหนด", value: "none" },
              ],
            },
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
  const ctx = { tx: {} as Tx, userId: "U1", now: NOW, state };
  let last: Outgoing = { replies: [], buttons: [] };
  const send = async (input: Input) => (last = await engine.handle(ctx, input));
  const picker = () => {
    const b = last.buttons[0];
    if (b?.kind !== "datetime") throw new Error("no picker");
    return b;
  };
  const pick = (datetime: string, data = picker().data) => send({ kind: "postback", data, params: { datetime } });
  const said = () => last.replies.map((r) => (r.kind === "text" ? r.text : r.altText)).join("\n");
  return {
    state,
    send,
    say: (t: string) => send({ kind: "text", text: t }),
    pick,
    picker,
    said,
    last: () => last,
    completed: () => completed,
  };
}

describe("datetime input", () => {
  it("offers LINE's datetime picker first, with its bounds in Bangkok wall time", async () => {
    const t = setup();
    await t.say("ทดลอง");
    expect(t.picker()).toMatchObject({ kind: "datetime", label: "เลือกวันเวลา", min: "2026-11-28T10:00", initial: "2026-11-29T10:00" });
    expect(decodePostback(t.picker().data)).toMatchObject({ kind: "answer", flow: "toy", step: "start", value: DATETIME_PICKED });
    const messages = renderOutgoing(t.last());
    expect(messages.at(-1)?.quickReply?.items?.[0]).toEqual({
      type: "action",
      action: {
        type: "datetimepicker",
        label: "เลือกวันเวลา",
        data: t.picker().data,
        mode: "datetime",
        initial: "2026-11-29T10:00",
        min: "2026-11-28T10:00",
        max: undefined,
      },
    });
    expect(lineLimitProblems(JSON.parse(JSON.stringify(messages)))).toEqual([]);
  });

  it("stores a picked wall time as the Bangkok instant", async () => {
    const t = setup();
    await t.say("ทดลอง");
    await t.pick("2026-12-05T09:30");
    expect(t.state.data.start).toBe("2026-12-05T02:30:00.000Z");
    expect(t.state.stepId).toBe("end");
  });

  it("accepts a typed Thai date through parse, and refuses text that is not one", async () => {
    const t = setup();
    await t.say("ทดลอง");
    await t.say("วันเสาร์หน้า");
    expect(t.said()).toContain("พิมพ์วันเวลาไม่ถูกค่ะ");
    expect(t.state.stepId).toBe("start");
    await t.say("5/12/2569 09:30");
    expect(t.state.data.start).toBe("2026-12-05T02:30:00.000Z");
  });

  it("refuses an instant before min, and one failing the step's check", async () => {
    const t = setup();
    await t.say("ทดลอง");
    await t.pick("2026-11-27T09:00");
    expect(t.said()).toContain("วันเวลาต้องอยู่ในอนาคตค่ะ");
    expect(t.state.data.start).toBeUndefined();
    await t.pick("2026-12-05T09:30");
    await t.pick("2026-12-05T08:00");
    expect(t.said()).toContain("ต้องหลังเวลาเริ่มค่ะ");
    expect(t.state.stepId).toBe("end");
    await t.pick("2026-12-05T12:00");
    expect(t.completed()).toMatchObject({ start: "2026-12-05T02:30:00.000Z", end: "2026-12-05T05:00:00.000Z" });
  });

  it("takes a choice by tap or typed label; without parse typed text is a miss", async () => {
    const t = setup();
    await t.say("ทดลอง");
    await t.pick("2026-12-05T09:30");
    await t.say("พรุ่งนี้");
    expect(t.said()).toContain("เลือกจากปุ่มค่ะ");
    const two = t.last().buttons.find((b) => b.label === "2 ชั่วโมง");
    expect(two?.kind).toBe("postback");
    await t.send({ kind: "postback", data: (two as { data: string }).data });
    expect(t.completed()).toMatchObject({ end: "2026-12-05T04:30:00.000Z" });

    const u = setup();
    await u.say("ทดลอง");
    await u.pick("2026-12-05T09:30");
    await u.say("ไม่กำหนด");
    expect(u.completed()).toMatchObject({ end: "none" });
  });

  it("treats a picker answer from an old prompt, a malformed value or a forged choice as stale or invalid", async () => {
    const t = setup();
    await t.say("ทดลอง");
    const old = t.picker().data;
    await t.pick("2026-12-05T09:30");
    await t.pick("2026-12-05T12:00", old);
    expect(t.said()).toMatch(/ข้อความเก่า/);
    expect(t.state.stepId).toBe("end");
    await t.pick("2026-13-05T12:00");
    expect(t.said()).toContain("เลือกจากปุ่มค่ะ");
    const forged = encodePostback({ kind: "answer", flow: "toy", step: "end", turn: t.state.turn, value: "2030-01-01T00:00:00.000Z" });
    await t.send({ kind: "postback", data: forged });
    expect(t.said()).toMatch(/ข้อความเก่า/);
    expect(t.completed()).toBeNull();
  });
});

describe("datetime parsing", () => {
  it("reads picker values as Bangkok wall time, refusing impossible ones", () => {
    expect(parsePickerValue("2026-12-05T09:30")?.toISOString()).toBe("2026-12-05T02:30:00.000Z");
    expect(parsePickerValue("2026-02-31T09:30")).toBeNull();
    expect(parsePickerValue("2026-12-05T24:00")).toBeNull();
    expect(parsePickerValue("2026-12-05")).toBeNull();
    expect(parsePickerValue(undefined)).toBeNull();
    expect(pickerValue(new Date("2026-12-05T02:30:00Z"))).toBe("2026-12-05T09:30");
  });

  it("reads typed Thai dates with B.E. or C.E. years", () => {
    const at = "2026-12-05T02:30:00.000Z";
    expect(parseThaiDateTime("5/12/2569 09:30")?.toISOString()).toBe(at);
    expect(parseThaiDateTime("05/12/2026 9.30 น.")?.toISOString()).toBe(at);
    expect(parseThaiDateTime("5/12/69 เวลา 09:30")?.toISOString()).toBe(at);
    expect(parseThaiDateTime("31/2/2569 09:30")).toBeNull();
    expect(parseThaiDateTime("5/12/2569")).toBeNull();
    expect(parseThaiDateTime("พรุ่งนี้")).toBeNull();
  });
});
