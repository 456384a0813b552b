// The coordinators' situation summary as transcripts (issue 14 §3): a
// province coordinator taps "สรุปสถานการณ์" and gets the totals, a Flex table
// per district with the right numbers, a chart image whose URL serves a real
// PNG, and a CSV link with every council's row; a district coordinator sees
// only their district, per tambon; a secretary or a villager gets nothing,
// even with a forged button; the periodic summary goes to each coordinator
// once per period, whatever the instances.
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { summaryKey, situationSummaryJob, SUMMARY_PURPOSE } from "../../src/disaster/summary-job.ts";
import { SummaryCsvLinks } from "../../src/disaster/summary-csv.ts";
import { exportSigningSecret } from "../../src/reports/export-links.ts";
import { encodePostback } from "../../src/engine/postback.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { type ChatUser, Harness, START_TIME } from "../support/harness.ts";
import { type Council, OLDEST_CRITICAL, pickCouncils, seedRoles, seedSituation } from "./summary-seed.ts";

const HOUR = 3_600_000;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The rows of the latest answer's table: [cells…] per row, heading first. */
function tableRows(messages: messagingApi.Message[]): string[][] {
  const flex = messages.find((m) => m.type === "flex") as messagingApi.FlexMessage | undefined;
  if (!flex) return [];
  const bubble = flex.contents as unknown as { body: { contents: { type: string; layout?: string; contents?: { text: string }[] }[] } };
  return bubble.body.contents.filter((n) => n.type === "box" && n.layout === "horizontal").map((row) => row.contents!.map((c) => c.text));
}

function uriOf(messages: messagingApi.Message[]): string {
  let found: string | undefined;
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const child of n) visit(child);
      return;
    }
    if (!n || typeof n !== "object") return;
    const a = (n as { action?: { type?: string; uri?: string } }).action;
    if (a?.type === "uri" && !found) found = a.uri;
    for (const child of Object.values(n)) visit(child);
  };
  visit(messages);
  if (!found) throw new Error("no download link");
  return found;
}

describe.each(FLOW_DATABASES)("the situation summary on %s", (kind) => {
  let h: Harness;
  let c: { a1: Council; a2: Council; b1: Council };
  let situationId: number;
  const fetchLink = (link: string) => {
    const url = new URL(link);
    return fetch(`${h.baseUrl}${url.pathname}${url.search}`);
  };
  const summaryOf = async (u: ChatUser) => {
    await u.say("สรุปสถานการณ์");
    return u.last();
  };

  beforeAll(async () => {
    h = await Harness.start({ kind });
    c = await pickCouncils(h.db.prisma);
    await seedRoles(h.db.prisma, c);
    situationId = await seedSituation(h.db.prisma, START_TIME, c);
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("is a button of the coordinator's staff menu", async () => {
    const prov = h.user("Uprov");
    await prov.say("งานเจ้าหน้าที่");
    expect(prov.buttons()).toContain("สรุปสถานการณ์");
  });

  it("a province coordinator: totals, a table per district, a chart PNG and the CSV", async () => {
    const messages = await summaryOf(h.user("Uprov"));
    expect(messages.map((m) => m.type)).toEqual(["text", "flex", "image"]);
    const text = (messages[0] as messagingApi.TextMessage).text;
    expect(text).toContain("ระดับวิกฤต");
    expect(text).toContain("ส่งถามความปลอดภัย 12 คน");
    expect(text).toContain("ปลอดภัย 7 คน · ขอความช่วยเหลือ 2 คน · ยังไม่ตอบ 3 คน");
    expect(text).toContain("คำขอน้ำท่วมที่ยังเปิดอยู่ 4 เรื่อง (วิกฤต 2, สูง 1, ปานกลาง 0, ต่ำ 1)");
    expect(text).toContain(`${OLDEST_CRITICAL} รอมา 30 นาที`);
    expect(text).toContain("ถุงยังชีพ 2, น้ำดื่ม 1, เงินช่วยเหลือ 2 ครั้ง รวม 1,500 บาท");
    expect(text).not.toMatch(/081|นางสมศรี/);

    const rows = tableRows(messages);
    expect(rows[0]).toEqual(["อำเภอ", "ส่ง", "ปลอดภัย", "ขอช่วย", "ไม่ตอบ", "คำขอเปิด", "วิกฤต", "แจกของ"]);
    expect(rows[1]).toEqual([`อ.${c.a1.district}`, "8", "3", "2", "3", "3", "2", "4"]);
    expect(rows[2]).toEqual([`อ.${c.b1.district}`, "4", "4", "0", "0", "1", "0", "1"]);
    expect(rows.at(-1)).toEqual(["รวม", "12", "7", "2", "3", "4", "2", "5"]);

    // The chart: a signed https URL of this bot, serving a PNG.
    const image = messages[2] as messagingApi.ImageMessage;
    expect(image.originalContentUrl).toMatch(/^https:\/\/bot\.example\.test\/media\/\d+-[\w-]{43}\.png$/);
    const res = await fetchLink(image.originalContentUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const png = new Uint8Array(await res.arrayBuffer());
    expect([...png.slice(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.length).toBeGreaterThan(5_000);
    expect(png.length).toBeLessThan(1_000_000); // LINE's preview image limit
    // Width 1040 (IHDR).
    expect(new DataView(png.buffer).getUint32(16)).toBe(1040);

    // The CSV: every council of the province, the seeded ones with their numbers.
    const csvRes = await fetchLink(uriOf(messages));
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    // Response.text() drops the BOM: read the bytes.
    const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await csvRes.arrayBuffer());
    expect(csv.startsWith("\uFEFFอำเภอ,ตำบล,สภาองค์กรชุมชน,ส่งถามแล้ว,ปลอดภัย,ต้องการความช่วยเหลือ,ยังไม่ตอบ,")).toBe(true);
    const lines = csv.trim().split("\r\n");
    const councils = await h.db.prisma.council.count({ where: { tambon: { district: { provinceId: 33 } } } });
    expect(lines).toHaveLength(councils + 1);
    const line = (x: Council) => lines.find((l) => l.includes(`,${x.name},`));
    expect(line(c.a1)).toBe(`${c.a1.district},${c.a1.tambon},${c.a1.name},5,3,1,1,1,1,0,0,2,0,0,2,1500`);
    expect(line(c.a2)).toBe(`${c.a2.district},${c.a2.tambon},${c.a2.name},3,0,1,2,1,0,0,0,0,0,0,0,0`);
    expect(line(c.b1)).toBe(`${c.b1.district},${c.b1.tambon},${c.b1.name},4,4,0,0,0,0,0,1,0,1,0,0,0`);
    expect(csv).not.toMatch(/081|นางสมศรี|Um\d/);
  });

  it("a district coordinator sees their district only, per tambon", async () => {
    const messages = await summaryOf(h.user("Udist"));
    const text = (messages[0] as messagingApi.TextMessage).text;
    expect(text).toContain(`อ.${c.a1.district}`);
    expect(text).toContain("ส่งถามความปลอดภัย 8 คน");
    const rows = tableRows(messages);
    expect(rows[0]![0]).toBe("ตำบล");
    expect(rows[1]).toEqual([`ต.${c.a2.tambon}`, "3", "0", "1", "2", "1", "1", "0"]);
    expect(rows[2]).toEqual([`ต.${c.a1.tambon}`, "5", "3", "1", "1", "2", "1", "4"]);
    expect(rows.flat()).not.toContain(`ต.${c.b1.tambon}`);
    expect(rows.at(-1)).toEqual(["รวม", "8", "3", "2", "3", "3", "2", "4"]);
    const csv = await (await fetchLink(uriOf(messages))).text();
    const lines = csv.trim().split("\r\n").slice(1);
    expect(lines.every((l) => l.startsWith(`${c.a1.district},`))).toBe(true);
    expect(csv).not.toContain(c.b1.name);
  });

  it("a CSV link tampered with (another situation, another user) is refused", async () => {
    const link = uriOf(await summaryOf(h.user("Udist")));
    const other = link.replace(`situation-${situationId}.csv`, `situation-${situationId + 1}.csv`);
    expect((await fetchLink(other)).status).toBe(403);
    expect((await fetchLink(link.replace("u=Udist", "u=Uprov"))).status).toBe(403);
  });

  it("a secretary or a villager cannot, even with a forged button", async () => {
    for (const id of ["Usec", "Uvillager"]) {
      const u = h.user(id);
      await u.say("สรุปสถานการณ์");
      expect(u.last().some((m) => m.type === "flex" || m.type === "image")).toBe(false);
      await u.postback(encodePostback({ kind: "menu", entry: "situation-summary", arg: String(situationId) }));
      expect(u.last().some((m) => m.type === "flex" || m.type === "image")).toBe(false);
      expect(u.lastText()).not.toContain("ส่งถามความปลอดภัย");
    }
  });

  it("a forged situation id is refused", async () => {
    const prov = h.user("Uprov");
    await prov.postback(encodePostback({ kind: "menu", entry: "situation-summary", arg: "999999" }));
    expect(prov.lastText()).toContain("สิ้นสุดแล้ว หรือไม่อยู่ในพื้นที่");
  });

  it("the periodic summary: every DISASTER_SUMMARY_HOURS, once per period and coordinator", async () => {
    const pushes = async (userId: string) =>
      (
        await h.db.prisma.outboxMessage.findMany({ where: { purpose: SUMMARY_PURPOSE }, select: { recipients: true, dedupeKey: true } })
      ).filter((m) => (m.recipients as string[]).includes(userId));
    await h.runJobs();
    expect(await pushes("Uprov")).toHaveLength(0); // declared an hour ago: the first one is due at 3 hours

    h.clock.advance(2 * HOUR); // 3 hours since the declaration
    const before = h.line.calls.length;
    await h.runJobs();
    await h.runJobs();
    expect(await pushes("Uprov")).toHaveLength(1);
    expect(await pushes("Udist")).toHaveLength(1);
    expect(await pushes("Usec")).toHaveLength(0);
    const sent = h.messagesTo("Udist", before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.map((m) => m.type)).toEqual(["text", "flex", "image"]);
    expect((sent[0]![0] as messagingApi.TextMessage).text).toMatch(/^สรุปสถานการณ์ประจำรอบ/);
    expect(tableRows(sent[0]!).at(-1)).toEqual(["รวม", "8", "3", "2", "3", "3", "2", "4"]);
    const situation = await h.db.prisma.situation.findUniqueOrThrow({ where: { id: situationId } });
    expect(situation.summaryAt).toEqual(h.clock.now);

    // A second instance that read the situation before the first marked it queues nothing twice.
    await h.db.prisma.situation.update({ where: { id: situationId }, data: { summaryAt: null } });
    const secret = exportSigningSecret({ channelSecret: h.config.line.channelSecret });
    const other = situationSummaryJob({
      db: h.db,
      hours: 3,
      csvLinks: new SummaryCsvLinks({ secret, baseUrl: h.config.publicBaseUrl }),
      chartFont: h.config.summaryChartFont,
    });
    await other.runOnce(h.clock.now);
    expect(await pushes("Uprov")).toHaveLength(1);
    expect((await pushes("Udist"))[0]!.dedupeKey).toBe(summaryKey(situationId, 1, "Udist"));

    h.clock.advance(HOUR); // still the first period
    await h.runJobs();
    expect(await pushes("Udist")).toHaveLength(1);
    h.clock.advance(2 * HOUR); // 6 hours: the second
    await h.runJobs();
    expect(await pushes("Udist")).toHaveLength(2);
    expect(await pushes("Uprov")).toHaveLength(2);

    // Ended: no more.
    await h.db.prisma.situation.update({ where: { id: situationId }, data: { status: "ENDED", endedAt: h.clock.now, endedBy: "Uprov" } });
    h.clock.advance(3 * HOUR);
    await h.runJobs();
    expect(await pushes("Udist")).toHaveLength(2);
  });

  it("without an active situation the coordinator is told so", async () => {
    const prov = h.user("Uprov");
    await prov.say("สรุปสถานการณ์");
    expect(prov.lastText()).toContain("ไม่มีสถานการณ์น้ำท่วมที่ประกาศ");
  });
});
