// Coordinator reports as transcripts, on PGlite: who may open them
// (coordinators; not secretaries or villagers, not even with a forged
// button), what each area sees (a district coordinator their councils, a
// province coordinator per-district totals), periods in Bangkok days
// (today, 30 days, a typed custom range), open critical cases with their
// age, meeting registrations and waitlists, welfare-fund figures, and the
// signed CSV links: BOM and Thai, scope, expiry, tampering, revocation,
// unknown names and path traversal.
import { request as httpRequest } from "node:http";
import type { messagingApi } from "@line/bot-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { KIND_LIST } from "../../src/help-requests/kinds/index.ts";
import { grantRole, revokeRole } from "../../src/staff/roles.ts";
import { FLOW_DATABASES } from "../support/database.ts";
import { Harness, type ChatUser } from "../support/harness.ts";

const by = { by: "cli:test", at: new Date("2026-11-01T00:00:00Z"), via: "cli" };
const HOUR = 3_600_000;

type Council = { id: number; name: string; districtId: number; districtName: string };

/** The rows of each table bubble of the latest answer: [cells…] per row, heading row first. */
function tables(u: ChatUser): string[][][] {
  const flex = u.last().find((m) => m.type === "flex") as messagingApi.FlexMessage | undefined;
  if (!flex) return [];
  const contents = flex.contents as unknown as { type: string; contents?: unknown[] };
  const bubbles = (contents.type === "carousel" ? contents.contents! : [contents]) as { body: { contents: unknown[] } }[];
  return bubbles.map((b) =>
    (b.body.contents as { type: string; layout?: string; contents?: { text: string }[] }[])
      .filter((n) => n.type === "box" && n.layout === "horizontal")
      .map((row) => row.contents!.map((c) => c.text)),
  );
}

/** The CSV link of the latest answer's (first) table. */
function downloadUri(u: ChatUser): string {
  let found: string | undefined;
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const child of n) visit(child);
      return;
    }
    if (!n || typeof n !== "object") return;
    const o = n as Record<string, unknown>;
    const a = o.action as { type?: string; uri?: string } | undefined;
    if (a?.type === "uri" && !found) found = a.uri;
    Object.values(o).forEach(visit);
  };
  visit(u.last());
  if (!found) throw new Error("no download link");
  return found;
}

/** A GET with the path sent as written (fetch would resolve "..").*/
function rawGet(baseUrl: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe.each(FLOW_DATABASES)("coordinator reports on %s", (kind) => {
  let h: Harness;
  let a1: Council, a2: Council, b1: Council; // a1, a2 in one district; b1 in another
  let caseNo = 0;
  /** A link as the bot signed it (at the harness's PUBLIC_BASE_URL), fetched from this test's server. */
  const fetchLink = (link: string) => {
    const url = new URL(link);
    return fetch(`${h.baseUrl}${url.pathname}${url.search}`);
  };

  async function addRequest(
    council: Council,
    fields: { kind?: "FLOOD" | "HOUSING"; status?: string; priority?: string; at: string; people?: number },
  ) {
    caseNo += 1;
    return h.db.prisma.helpRequest.create({
      data: {
        kind: fields.kind ?? "FLOOD",
        caseNumber: `SSK-T-${kind}-${String(caseNo).padStart(4, "0")}`,
        councilId: council.id,
        lineUserId: `Ufiler${caseNo}`,
        status: (fields.status ?? "PENDING") as "PENDING",
        priority: (fields.priority ?? "LOW") as "LOW",
        peopleCount: fields.people ?? 2,
        householdName: "นางสมศรี ใจดี",
        phone: "0812345678",
        createdAt: new Date(fields.at),
      },
    });
  }

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const rows = await h.db.prisma.council.findMany({
      select: { id: true, name: true, tambon: { select: { district: { select: { id: true, nameTh: true } } } } },
      orderBy: { id: "asc" },
    });
    const all = rows.map((r) => ({ id: r.id, name: r.name, districtId: r.tambon.district.id, districtName: r.tambon.district.nameTh }));
    a1 = all[0]!;
    a2 = all.find((c) => c.districtId === a1.districtId && c.id !== a1.id)!;
    b1 = all.find((c) => c.districtId !== a1.districtId)!;
    const tx = h.db.prisma;
    await grantRole(tx, "Udist", { role: "COORDINATOR", level: "DISTRICT", areaId: a1.districtId }, by);
    await grantRole(tx, "Uprov", { role: "COORDINATOR", level: "PROVINCE", areaId: 33 }, by);
    await grantRole(tx, "Usec", { role: "SECRETARY", level: "COUNCIL", areaId: a1.id }, by);

    // The clock starts 2026-11-28 10:00 Bangkok (03:00 UTC).
    await addRequest(a1, { at: "2026-11-27T17:30:00Z", status: "PENDING" }); // 00:30 today in Bangkok
    await addRequest(a1, { at: "2026-11-28T02:00:00Z", status: "ACCEPTED" }); // 09:00 today
    await addRequest(a2, { at: "2026-11-28T01:00:00Z", status: "IN_PROGRESS", priority: "CRITICAL", people: 6 }); // 08:00 today
    await addRequest(a2, { at: "2026-11-27T16:30:00Z", status: "RESOLVED" }); // 23:30 yesterday in Bangkok
    await addRequest(a1, { at: "2026-11-10T05:00:00Z", kind: "HOUSING", status: "REJECTED" });
    await addRequest(a1, { at: "2026-11-05T05:00:00Z", status: "RESOLVED", priority: "CRITICAL" }); // closed: not an open case
    await addRequest(a1, { at: "2026-10-01T05:00:00Z", status: "CANCELLED" }); // before 30 days
    await addRequest(b1, { at: "2026-11-28T00:00:00Z", status: "PENDING", priority: "CRITICAL", people: 3 }); // other district
    await addRequest(b1, { at: "2026-11-20T00:00:00Z", kind: "HOUSING", status: "PENDING" });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("villagers and secretaries get the normal menu, even with a forged report button", async () => {
    for (const id of ["Uvillager", "Usec"]) {
      const u = h.user(id);
      await u.say("รายงาน");
      expect(u.lastText()).toMatch(/ยังไม่เข้าใจ/);
      expect(u.buttons()).not.toContain("รายงาน");
      expect(u.last().some((m) => m.type === "flex")).toBe(false);
      await u.postback(encodePostback({ kind: "menu", entry: "report", arg: "critical" }));
      expect(u.last().some((m) => m.type === "flex")).toBe(false);
      expect(u.lastText()).not.toContain("SSK-T");
    }
  });

  it("a district coordinator sees their councils only, counted in Bangkok days", async () => {
    const u = h.user("Udist");
    await u.say("รายงาน");
    expect(u.buttons()).toEqual(expect.arrayContaining(["คำขอช่วยเหลือ", "เคสวิกฤตที่ยังเปิด", "การลงทะเบียนประชุม", "กองทุนสวัสดิการ"]));
    await u.tap("คำขอช่วยเหลือ");
    expect(u.buttons()).toEqual(expect.arrayContaining(["วันนี้", "7 วันล่าสุด", "30 วันล่าสุด", "กำหนดช่วงวันเอง"]));
    await u.tap("วันนี้");
    const [flood, housing] = tables(u);
    expect(flood![0]).toEqual(["สภาฯ", "รอ", "รับ", "ทำ", "เสร็จ", "ไม่รับ", "ถอน", "รวม"]);
    const short = (c: Council) => c.name.replace("สภาองค์กรชุมชนตำบล", "ต.");
    // Today: a1 pending (00:30) + accepted; a2 in progress; a2's 23:30 yesterday is not today.
    expect(flood).toContainEqual([short(a1), "1", "1", "0", "0", "0", "0", "2"]);
    expect(flood).toContainEqual([short(a2), "0", "0", "1", "0", "0", "0", "1"]);
    expect(flood!.at(-1)).toEqual(["รวมทั้งหมด", "1", "1", "1", "0", "0", "0", "3"]);
    expect(housing!.at(-1)).toEqual(["รวมทั้งหมด", "0", "0", "0", "0", "0", "0", "0"]);
    expect(u.lastText()).not.toContain(short(b1));

    await u.tap("30 วันล่าสุด");
    const [flood30, housing30] = tables(u);
    expect(flood30).toContainEqual([short(a1), "1", "1", "0", "1", "0", "0", "3"]);
    expect(flood30).toContainEqual([short(a2), "0", "0", "1", "1", "0", "0", "2"]);
    expect(housing30!.at(-1)).toEqual(["รวมทั้งหมด", "0", "0", "0", "0", "1", "0", "1"]);
    expect(u.lastText()).toContain("30 วันล่าสุด (30/10/2569 – 28/11/2569)");
  });

  it("a province coordinator sees per-district totals", async () => {
    const u = h.user("Uprov");
    await u.postback(encodePostback({ kind: "menu", entry: "report", arg: "requests:30d" }));
    const [flood, housing] = tables(u);
    expect(flood![0]![0]).toBe("อำเภอ");
    expect(flood).toContainEqual([a1.districtName, "1", "1", "1", "2", "0", "0", "5"]);
    expect(flood).toContainEqual([b1.districtName, "1", "0", "0", "0", "0", "0", "1"]);
    expect(housing!.at(-1)).toEqual(["รวมทั้งหมด", "1", "0", "0", "0", "1", "0", "2"]);
  });

  it("a custom period typed in พ.ศ. and Thai digits", async () => {
    const u = h.user("Udist");
    await u.say("รายงาน");
    await u.tap("คำขอช่วยเหลือ");
    await u.tap("กำหนดช่วงวันเอง");
    expect(u.lastText()).toMatch(/เริ่มตั้งแต่วันที่/);
    await u.say("31/02/2569");
    expect(u.lastText()).toMatch(/อ่านวันที่ไม่ออก/);
    await u.say("๑๕/๑๑/๒๕๖๙");
    expect(u.buttons()).toContain("วันนี้");
    await u.say("2026-11-01"); // before the start: read as swapped
    expect(u.lastText()).toContain("01/11/2569 – 15/11/2569");
    const [flood, housing] = tables(u);
    expect(flood!.at(-1)).toEqual(["รวมทั้งหมด", "0", "0", "0", "1", "0", "0", "1"]); // 5 Nov resolved
    expect(housing!.at(-1)).toEqual(["รวมทั้งหมด", "0", "0", "0", "0", "1", "0", "1"]); // 10 Nov rejected
  });

  it("open critical cases of the area, oldest first, with their age and no personal data", async () => {
    const u = h.user("Udist");
    await u.postback(encodePostback({ kind: "menu", entry: "report", arg: "critical" }));
    const [table] = tables(u);
    expect(table!.slice(1)).toEqual([[expect.stringContaining(`SSK-T-${kind}-0003`), "กำลังทำ", "2 ชม. 0 นาที", "6"]]);
    expect(u.lastText()).not.toContain("สมศรี");
    const p = h.user("Uprov");
    await p.postback(encodePostback({ kind: "menu", entry: "report", arg: "critical" }));
    const rows = tables(p)[0]!.slice(1);
    expect(rows.map((r) => r[0]!.split("\n")[0])).toEqual([`SSK-T-${kind}-0008`, `SSK-T-${kind}-0003`]);
    expect(rows[0]![2]).toBe("3 ชม. 0 นาที");
  });

  it("meeting registrations and waitlist per meeting, members of the area only; CSV guards formulas", async () => {
    const tx = h.db.prisma;
    const m = await tx.meeting.create({
      data: {
        title: '=HYPERLINK("http://evil.example","ประชุมสภาฯ")',
        startsAt: new Date("2026-12-05T02:00:00Z"),
        endsAt: new Date("2026-12-05T05:00:00Z"),
        placeName: "ศาลากลางบ้าน",
        capacity: 5,
        audience: { create: [{ level: "PROVINCE", areaId: 33 }] },
      },
    });
    const member = (c: Council) => tx.member.create({ data: { fullName: "ทดสอบ", councilId: c.id } });
    const [ma1, ma2, mb1] = [await member(a1), await member(a2), await member(b1)];
    const at = new Date("2026-11-20T00:00:00Z");
    await tx.meetingRegistration.createMany({
      data: [
        { meetingId: m.id, lineUserId: "Ur1", memberId: ma1.id, people: 3, status: "REGISTERED", registeredAt: at },
        { meetingId: m.id, lineUserId: "Ur2", memberId: mb1.id, people: 2, status: "REGISTERED", registeredAt: at },
        { meetingId: m.id, lineUserId: "Ur3", memberId: ma2.id, people: 4, status: "WAITLISTED", registeredAt: at },
      ],
    });
    const u = h.user("Udist");
    await u.postback(encodePostback({ kind: "menu", entry: "report", arg: "meetings" }));
    const [table] = tables(u);
    expect(table!.slice(1)).toEqual([[expect.stringContaining("=HYPERLINK"), "3 คน", "4 คน", "0"]]);

    const csv = await (await fetchLink(downloadUri(u))).text();
    const lines = csv.replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[0]).toBe("การประชุม,เริ่ม,จำนวนที่นั่ง,ลงทะเบียน (ราย),ลงทะเบียน (คน),รอที่นั่ง (ราย),รอที่นั่ง (คน),ที่ว่าง");
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://evil.example"",""ประชุมสภาฯ"")",05/12/2569 09:00 น.,5,1,3,1,4,0`);
  });

  it("welfare-fund figures per council: active members, this year's savings and benefits", async () => {
    const tx = h.db.prisma;
    const fund = await tx.welfareFund.create({ data: { councilId: a1.id, code: "T1", name: "กองทุนสวัสดิการชุมชนทดสอบ" } });
    const fm = (no: string, leftOn?: string) =>
      tx.fundMember.create({
        data: {
          fundId: fund.id,
          memberNo: no,
          nationalId: `11111000000${no}`.slice(-13),
          firstName: "สมชาย",
          lastName: "ใจงาม",
          birthDate: new Date("1960-01-01"),
          joinedOn: new Date("2020-01-01"),
          ...(leftOn ? { leftOn: new Date(leftOn) } : {}),
        },
      });
    const [m1, m2] = [await fm("01"), await fm("02"), await fm("03", "2026-06-01")];
    const pay = (id: number, on: string, amount: string) =>
      tx.contribution.create({
        data: { fundMemberId: id, paidOn: new Date(on), amount, periodFrom: new Date(on), periodTo: new Date(on) },
      });
    await pay(m1!.id, "2026-01-15", "365.00");
    await pay(m2!.id, "2026-11-01", "30.50");
    await pay(m2!.id, "2025-12-31", "365.00"); // last year
    await tx.benefitPayment.create({ data: { fundMemberId: m1!.id, type: "HOSPITAL", paidOn: new Date("2026-03-01"), amount: "600.00" } });

    const u = h.user("Udist");
    await u.postback(encodePostback({ kind: "menu", entry: "report", arg: "funds" }));
    const [table] = tables(u);
    expect(table![0]).toEqual(["สภาฯ", "สมาชิก", "เงินสะสม", "สวัสดิการ"]);
    expect(table![1]).toEqual([a1.name.replace("สภาองค์กรชุมชนตำบล", "ต."), "2", "฿395.50", "฿600.00"]);
    const csv = await (await fetchLink(downloadUri(u))).text();
    expect(csv).toContain(`${a1.districtName},${a1.name},กองทุนสวัสดิการชุมชนทดสอบ,2,395.50,1,600.00\r\n`);
    expect(csv).not.toContain("สมชาย");
  });

  it("CSV links: BOM and Thai, the requester's area, 24 hours, refused when tampered, revoked or not a report", async () => {
    const u = h.user("Udist");
    await u.postback(encodePostback({ kind: "menu", entry: "report", arg: "requests:30d" }));
    const link = downloadUri(u);
    expect(link).toMatch(/^https:\/\/bot\.example\.test\/exports\/requests\.csv\?u=Udist&from=2026-10-30&to=2026-11-28&exp=\d+&sig=/);
    const url = new URL(link);
    const local = (q: URL) => `${h.baseUrl}${q.pathname}${q.search}`;

    const res = await fetch(local(url));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="requests_2026-10-30_2026-11-28.csv"');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString("utf8");
    expect(csv).toContain(`${a1.districtName},${a1.name},น้ำท่วม,1,1,0,1,0,0,3,2026-10-30,2026-11-28\r\n`);
    expect(csv).not.toContain(b1.name);
    expect(csv).not.toMatch(/สมศรี|0812345678/);

    // Tampered: another user, another period, another report, a changed signature.
    const other = new URL(url);
    other.searchParams.set("u", "Uprov");
    expect((await fetch(local(other))).status).toBe(403);
    const longer = new URL(url);
    longer.searchParams.set("from", "2026-01-01");
    expect((await fetch(local(longer))).status).toBe(403);
    const renamed = new URL(url);
    renamed.pathname = "/exports/funds.csv";
    expect((await fetch(local(renamed))).status).toBe(403);
    const badSig = new URL(url);
    const sig = badSig.searchParams.get("sig")!;
    badSig.searchParams.set("sig", `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`);
    expect((await fetch(local(badSig))).status).toBe(403);
    expect((await fetch(`${h.baseUrl}/exports/requests.csv`)).status).toBe(403);

    // Unknown names and path traversal: never a file.
    for (const path of [
      "/exports/secrets.csv",
      "/exports/..%2F..%2Fetc%2Fpasswd.csv",
      "/exports/../package.json",
      "/exports/%2e%2e/package.json",
      "/exports/requests.json",
    ]) {
      const r = await rawGet(h.baseUrl, `${path}${url.search}`);
      expect([403, 404]).toContain(r.status);
      expect(r.body).not.toMatch(/dependencies|root:/);
    }

    // Expiry: valid just before 24 hours, refused after.
    const start = h.clock.now;
    h.clock.advance(24 * HOUR - 60_000);
    expect((await fetch(local(url))).status).toBe(200);
    h.clock.advance(60_000);
    expect((await fetch(local(url))).status).toBe(403);
    h.clock.now = start;

    // A revoked coordinator's link stops working at once.
    expect((await fetch(local(url))).status).toBe(200);
    await revokeRole(h.db.prisma, "Udist", { role: "COORDINATOR", level: "DISTRICT", areaId: a1.districtId }, by);
    expect((await fetch(local(url))).status).toBe(403);
    await grantRole(h.db.prisma, "Udist", { role: "COORDINATOR", level: "DISTRICT", areaId: a1.districtId }, by);
  });

  it("a long list shows the top 15 rows and the total in the chat, everything in the CSV", async () => {
    // One request in the first council of every district: 22 districts.
    const councils = await h.db.prisma.council.findMany({
      select: { id: true, name: true, tambon: { select: { district: { select: { id: true, nameTh: true } } } } },
      orderBy: { id: "asc" },
    });
    const firstOf = new Map<number, Council>();
    for (const c of councils) {
      if (!firstOf.has(c.tambon.district.id)) {
        firstOf.set(c.tambon.district.id, {
          id: c.id,
          name: c.name,
          districtId: c.tambon.district.id,
          districtName: c.tambon.district.nameTh,
        });
      }
    }
    expect(firstOf.size).toBeGreaterThan(15);
    for (const c of firstOf.values()) await addRequest(c, { at: "2026-11-28T02:30:00Z" });
    const u = h.user("Uprov");
    await u.postback(encodePostback({ kind: "menu", entry: "report", arg: "requests:today" }));
    const [flood] = tables(u);
    expect(flood!.length).toBe(1 + 15 + 1); // heading, 15 rows, total
    const expected = 3 + 1 + firstOf.size; // this morning's earlier requests (a1 ×2, a2, b1) + one per district
    expect(flood!.at(-1)).toEqual(["รวมทั้งหมด", String(expected - 2), "1", "1", "0", "0", "0", String(expected)]);
    expect(u.lastText()).toContain(`แสดง 15 จาก ${firstOf.size} อำเภอ`);
    const csv = await (await fetchLink(downloadUri(u))).text();
    for (const c of firstOf.values()) expect(csv).toContain(`${c.districtName},${c.name},น้ำท่วม,`);
    expect(csv.trimEnd().split("\r\n").length).toBe(1 + KIND_LIST.length * councils.length);
  });
});
