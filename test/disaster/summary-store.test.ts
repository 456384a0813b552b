// The summary's SQL on PGlite and PostgreSQL: every council's figures in one
// statement (check-ins, answers, open flood requests since the declaration
// by priority, aid of the situation), the oldest unaccepted critical
// request, the coordinator's scope, the CSV; and the chart, with and without
// its font file, and without media links (no chart, the table still there).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaLinks } from "../../src/line/media-links.ts";
import { lineLimitProblems } from "../../src/line/limits.ts";
import { renderOutgoing } from "../../src/line/render.ts";
import { renderChartPng, summaryChartSvg } from "../../src/disaster/summary-chart.ts";
import { SummaryCsvLinks, summaryCsv } from "../../src/disaster/summary-csv.ts";
import { situationSummary } from "../../src/disaster/summary-module.ts";
import { councilFigures, oldestUnacceptedCritical, summaryScopes } from "../../src/disaster/summary-store.ts";
import { grantRole, revokeRole } from "../../src/staff/roles.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";
import { START_TIME } from "../support/harness.ts";
import { by, type Council, OLDEST_CRITICAL, pickCouncils, seedRoles, seedSituation } from "./summary-seed.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const FONT = "/usr/share/fonts/truetype/tlwg/Garuda.ttf";
const csvLinks = new SummaryCsvLinks({ secret: Buffer.from("k".repeat(32)), baseUrl: "https://bot.example.org" });

describe.each(STORE_DATABASES)("the summary's statements on %s", (kind) => {
  let db: TestDatabase;
  let c: { a1: Council; a2: Council; b1: Council };
  let situationId: number;

  beforeAll(async () => {
    db = await createTestDatabase(kind, { geography: true });
    c = await pickCouncils(db.prisma);
    await seedRoles(db.prisma, c);
    situationId = await seedSituation(db.prisma, START_TIME, c);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("counts each council's check-ins, answers, open requests and aid", async () => {
    const situation = await db.prisma.situation.findUniqueOrThrow({ where: { id: situationId } });
    const figures = await councilFigures(db.prisma, situation, [c.a1.id, c.a2.id, c.b1.id]);
    const of = (x: Council) => figures.find((f) => f.councilId === x.id)!;
    expect(of(c.a1)).toMatchObject({
      sent: 5,
      safe: 3,
      help: 1,
      notAnswered: 1,
      open: { CRITICAL: 1, HIGH: 1, MEDIUM: 0, LOW: 0 },
      openTotal: 2,
      aid: { FOOD_PACK: 2, WATER: 0, MEDICINE: 0, CASH: 2 },
      cash: 1500,
      tambon: c.a1.tambon,
      district: c.a1.district,
    });
    expect(of(c.a2)).toMatchObject({ sent: 3, safe: 0, help: 1, notAnswered: 2, openTotal: 1, aid: { MEDICINE: 0 }, cash: 0 });
    expect(of(c.b1)).toMatchObject({ sent: 4, safe: 4, help: 0, notAnswered: 0, open: { LOW: 1 }, aid: { WATER: 1 } });
    const oldest = await oldestUnacceptedCritical(db.prisma, situation, [c.a1.id, c.a2.id, c.b1.id]);
    expect(oldest).toMatchObject({ caseNumber: OLDEST_CRITICAL, councilId: c.a1.id });
    expect(await oldestUnacceptedCritical(db.prisma, situation, [c.a2.id, c.b1.id])).toBeNull();
  });

  it("a province's councils in one statement", async () => {
    const situation = await db.prisma.situation.findUniqueOrThrow({ where: { id: situationId } });
    const scopes = await summaryScopes(db.prisma, "Uprov");
    expect(scopes).toHaveLength(1);
    expect(scopes![0]!.whole).toBe(true);
    const ids = scopes![0]!.councilIds;
    expect(ids.length).toBeGreaterThan(100);
    const figures = await councilFigures(db.prisma, situation, ids);
    expect(figures).toHaveLength(ids.length);
    expect(figures.reduce((s, f) => s + f.sent, 0)).toBe(12);
  });

  it("scopes: a district coordinator their district; a secretary or a villager nothing", async () => {
    const scopes = await summaryScopes(db.prisma, "Udist");
    expect(scopes![0]!.whole).toBe(false);
    const districts = await db.prisma.council.findMany({
      where: { id: { in: scopes![0]!.councilIds } },
      select: { tambon: { select: { districtId: true } } },
    });
    expect(new Set(districts.map((d) => d.tambon.districtId))).toEqual(new Set([c.a1.districtId]));
    expect(await summaryScopes(db.prisma, "Usec")).toBeNull();
    expect(await summaryScopes(db.prisma, "Uvillager")).toBeNull();
    expect(await summaryCsv(db.prisma, "Usec", situationId)).toBeNull();
    expect(await summaryCsv(db.prisma, "Udist", situationId + 100)).toBeNull();
  });

  it("the CSV follows the roles at download time: a revoked coordinator gets nothing", async () => {
    const grant = { role: "COORDINATOR" as const, level: "DISTRICT" as const, areaId: c.b1.districtId };
    await grantRole(db.prisma, "Ulater", grant, by);
    const csv = await summaryCsv(db.prisma, "Ulater", situationId);
    expect(csv).toContain(`${c.b1.district},${c.b1.tambon},${c.b1.name},4,4,0,0,0,0,0,1,0,1,0,0,0`);
    expect(csv).not.toContain(c.a1.name);
    await revokeRole(db.prisma, "Ulater", grant, by);
    expect(await summaryCsv(db.prisma, "Ulater", situationId)).toBeNull();
  });

  it("without media links (no https:// address) there is no chart; the table is still there", async () => {
    const [scope] = (await summaryScopes(db.prisma, "Udist"))!;
    const http = new MediaLinks({ secret: Buffer.from("k".repeat(32)), baseUrl: "http://localhost:3000" });
    for (const media of [undefined, http]) {
      const replies = await situationSummary(db.prisma, scope!, "Udist", START_TIME, { csvLinks, chartFont: FONT, media });
      expect(replies.map((r) => r.kind)).toEqual(["text", "flex"]);
    }
    const https = new MediaLinks({ secret: Buffer.from("k".repeat(32)), baseUrl: "https://bot.example.org" });
    const replies = await situationSummary(db.prisma, scope!, "Udist", START_TIME, { csvLinks, chartFont: FONT, media: https });
    expect(replies.map((r) => r.kind)).toEqual(["text", "flex", "image"]);
    // The same numbers again: the same PNG, the same media_file row.
    const before = await db.prisma.mediaFile.count();
    const again = await situationSummary(db.prisma, scope!, "Udist", START_TIME, { csvLinks, chartFont: FONT, media: https });
    expect(again[2]).toEqual(replies[2]);
    expect(await db.prisma.mediaFile.count()).toBe(before);
  });
});

describe("the chart", () => {
  const data = {
    title: "สรุปสถานการณ์ จ.ศรีสะเกษ",
    subtitle: "ข้อมูล ณ 28/11/2569 10:00 น.",
    bars: Array.from({ length: 24 }, (_, i) => ({ label: `ต.น้ำคำ${i} <&>`, safe: 10 + i, help: i % 3, notAnswered: 5 })),
  };

  it("draws at most 20 bars, counts the rest, escapes labels", () => {
    const svg = summaryChartSvg(data);
    expect(svg).toContain("และอีก 4 พื้นที่");
    expect(svg).toContain("&lt;&amp;&gt;");
    expect(svg).not.toContain("<&>");
  });

  it.each([
    ["with the Thai font", FONT],
    ["with the font file missing", "/nonexistent/font.ttf"],
    ["with no font configured", ""],
  ])("renders a PNG %s", async (_name, font) => {
    const png = await renderChartPng(data, font);
    expect(png).not.toBeNull();
    expect([...png!.slice(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png!.length).toBeGreaterThan(5_000);
  });
});

describe("an image reply", () => {
  it("renders as LINE's image message, with the buttons on it when it is last", () => {
    const url = "https://bot.example.org/media/7-abc.png";
    const messages = renderOutgoing({
      replies: [
        { kind: "text", text: "สรุป" },
        { kind: "image", url, previewUrl: url, altText: "กราฟ" },
      ],
      buttons: [{ kind: "postback", label: "ดูสรุปอีกครั้ง", data: "m=situation-summary" }],
    });
    expect(messages[1]).toMatchObject({
      type: "image",
      originalContentUrl: url,
      previewImageUrl: url,
      quickReply: { items: [{ type: "action" }] },
    });
    expect(lineLimitProblems(messages)).toEqual([]);
  });
});
