// src/privacy/erasure.ts on both databases (PGlite is the default in
// production), rows written directly: what withdrawal erases at once, what an
// open request keeps, and the job's anonymisation once it closes — including
// waiting for a push to the filer that is still queued. The shipped,
// catalog-driven check is test/privacy/erasure.shipped.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseClosedRequests, eraseOnWithdrawal, QUEUED_NOTICE_GRACE_MS } from "../../src/privacy/erasure.ts";
import { enqueueMulticast, enqueuePush } from "../../src/outbox/outbox.ts";
import { createTestDatabase, STORE_DATABASES, type TestDatabase } from "../support/database.ts";

const U = "U0000000000000000000000000000e1a5";
const OTHER = "U0000000000000000000000000000e1a6";
const STAFF = "U0000000000000000000000000000e1a7";
const NAME = "บุญมี ลบแล้ว";
const PHONE = "0861230000";
const text = (t: string) => ({ replies: [{ kind: "text" as const, text: t }], buttons: [] });

describe.each(STORE_DATABASES)("erasure on %s", (kind) => {
  let db: TestDatabase;
  let councilId = 0;
  let seq = 0;
  const now = new Date("2026-12-02T03:00:00Z");

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    await db.prisma.province.create({ data: { id: 33, nameTh: "ศรีสะเกษ", nameEn: "Si Sa Ket" } });
    await db.prisma.district.create({ data: { id: 3301, provinceId: 33, nameTh: "เมืองศรีสะเกษ", nameEn: "Mueang" } });
    await db.prisma.tambon.create({ data: { id: 330101, districtId: 3301, nameTh: "เมืองเหนือ", nameEn: "Mueang Nuea" } });
    councilId = (await db.prisma.council.create({ data: { tambonId: 330101, name: "สภาองค์กรชุมชนตำบลเมืองเหนือ" } })).id;
  });
  afterAll(async () => db?.drop());

  async function request(lineUserId: string, status: "PENDING" | "RESOLVED") {
    const r = await db.prisma.helpRequest.create({
      data: {
        kind: "FLOOD",
        caseNumber: `SSK-F-6912-${String(++seq).padStart(4, "0")}-${kind}`,
        councilId,
        lineUserId,
        latitude: 15.1,
        longitude: 104.3,
        address: "12 หมู่ 3",
        vulnerable: ["bedridden"],
        note: "บ้านหลังวัด",
        phone: PHONE,
        status,
        peopleCount: 3,
      },
    });
    await db.prisma.helpRequestEvent.create({ data: { requestId: r.id, kind: "CREATED", at: now, actorUserId: lineUserId, note: "สร้าง" } });
    await db.prisma.helpRequestEvent.create({
      data: { requestId: r.id, kind: "STATUS", at: now, actorUserId: STAFF, byStaff: true, note: "ไปแล้ว" },
    });
    // Bytes through the SQL driver: the PGlite adapter cannot pass them through Prisma.
    await db.sql.query(
      `INSERT INTO help_request_photo ("requestId", "lineMessageId", "addedBy", "addedAt", status, bytes) VALUES ($1, $2, $3, $4::timestamp, 'FETCHED', $5)`,
      [r.id, `m-${kind}-${r.id}`, lineUserId, now.toISOString(), Buffer.from([1, 2, 3])],
    );
    return r;
  }

  const row = (id: number) =>
    db.prisma.helpRequest.findUniqueOrThrow({ where: { id }, include: { photos: true, history: { orderBy: { id: "asc" } } } });

  it("erases at withdrawal, keeps an open request until it closes and its queued push is gone", async () => {
    await db.prisma.lineUser.create({ data: { id: U } });
    await db.prisma.member.create({ data: { lineUserId: U, fullName: NAME, phone: PHONE, councilId } });
    const closed = await request(U, "RESOLVED");
    const open = await request(U, "PENDING");
    const others = await request(OTHER, "RESOLVED");
    const meeting = await db.prisma.meeting.create({
      data: {
        title: "ประชุม",
        startsAt: new Date(now.getTime() + 86_400_000 * 3),
        endsAt: new Date(now.getTime() + 86_400_000 * 3 + 3_600_000),
        placeName: "ศาลา",
        capacity: 1,
      },
    });
    await db.prisma.meetingRegistration.create({
      data: { meetingId: meeting.id, lineUserId: U, people: 1, status: "REGISTERED", registeredAt: now },
    });
    await db.prisma.meetingRegistration.create({
      data: { meetingId: meeting.id, lineUserId: OTHER, people: 1, status: "WAITLISTED", registeredAt: now },
    });
    const ids = await db.transaction(async (tx) => ({
      toThem: (await enqueuePush(tx, U, text("ถึงคุณ"), { purpose: "t", now }))!,
      aboutThem: (await enqueuePush(tx, STAFF, text(`สมัคร: ${NAME}`), { purpose: "t", now, dedupeKey: `reg:${U}:1` }))!,
      aboutOpenCase: (await enqueuePush(tx, STAFF, text(`${open.caseNumber} โทร ${PHONE}`), { purpose: "t", now }))!,
      multicast: (await enqueueMulticast(tx, [U, OTHER], text("ข่าว"), { purpose: "t", now }))[0]!,
    }));
    await db.prisma.outboxMessage.updateMany({ where: { id: { in: [ids.aboutThem, ids.aboutOpenCase] } }, data: { status: "FAILED" } });
    await db.prisma.staffDigestItem.createMany({
      data: [
        { lineUserId: STAFF, text: `คำขอเชื่อมบัญชีกองทุน: ${NAME}`, createdAt: now },
        { lineUserId: STAFF, text: `บ้านพอเพียง ${open.caseNumber} 12 หมู่ 3`, createdAt: now },
        { lineUserId: STAFF, text: `บ้านพอเพียง ${closed.caseNumber} 12 หมู่ 3`, createdAt: now },
      ],
    });

    const result = await db.transaction((tx) => eraseOnWithdrawal(tx, { lineUserId: U, fullName: NAME, phone: PHONE, now }));
    expect(result).toEqual({ openRequests: 1, closedRequests: 1, cancelledRegistrations: 1 });

    const regs = await db.prisma.meetingRegistration.findMany({ where: { meetingId: meeting.id }, orderBy: { id: "asc" } });
    expect(regs.map((r) => [r.lineUserId.startsWith("erased:") ? "erased" : r.lineUserId, r.status])).toEqual([
      ["erased", "CANCELLED"],
      [OTHER, "REGISTERED"],
    ]);
    const outbox = async (id: number) => db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } });
    expect(await outbox(ids.toThem)).toMatchObject({
      status: "FAILED",
      recipients: [],
      messages: [],
      lastError: "not sent: consent withdrawn",
    });
    expect(await outbox(ids.aboutThem)).toMatchObject({ status: "FAILED", recipients: [STAFF], messages: [] });
    expect((await outbox(ids.aboutThem)).dedupeKey).not.toContain(U);
    expect((await outbox(ids.aboutOpenCase)).messages).not.toEqual([]);
    expect(await outbox(ids.multicast)).toMatchObject({ status: "PENDING", recipients: [OTHER] });
    expect((await db.prisma.staffDigestItem.findMany()).map((i) => i.text)).toEqual([`บ้านพอเพียง ${open.caseNumber} 12 หมู่ 3`]);

    const c = await row(closed.id);
    expect(c).toMatchObject({
      lineUserId: "erased",
      latitude: null,
      address: null,
      vulnerable: [],
      note: null,
      phone: null,
      peopleCount: 3,
    });
    expect(c.photos.map((p) => [p.bytes, p.addedBy])).toEqual([[null, "erased"]]);
    expect(c.history.map((e) => [e.actorUserId, e.note])).toEqual([
      [null, null],
      [STAFF, null],
    ]);
    expect(await row(open.id)).toMatchObject({ lineUserId: U, phone: PHONE, address: "12 หมู่ 3", vulnerable: ["bedridden"] });
    expect(await row(others.id)).toMatchObject({ lineUserId: OTHER, phone: PHONE });

    // Still open: nothing. Closed, with the "resolved" push to the filer queued: it waits for it.
    expect(await db.transaction((tx) => eraseClosedRequests(tx, now))).toBe(0);
    await db.prisma.helpRequest.update({ where: { id: open.id }, data: { status: "RESOLVED" } });
    const resolvedPush = (await db.transaction((tx) =>
      enqueuePush(tx, U, text(`${open.caseNumber} เสร็จแล้ว`), { purpose: "request.status", now }),
    ))!;
    expect(await db.transaction((tx) => eraseClosedRequests(tx, now))).toBe(0);
    expect((await row(open.id)).phone).toBe(PHONE);
    // LINE refused it: now the request goes, and with it the notices about the case.
    await db.prisma.outboxMessage.update({ where: { id: resolvedPush }, data: { status: "FAILED" } });
    expect(await db.transaction((tx) => eraseClosedRequests(tx, now))).toBe(1);
    const o = await row(open.id);
    expect(o).toMatchObject({
      status: "RESOLVED",
      lineUserId: "erased",
      latitude: null,
      address: null,
      vulnerable: [],
      note: null,
      phone: null,
    });
    expect(o.photos.map((p) => p.bytes)).toEqual([null]);
    expect(await outbox(resolvedPush)).toMatchObject({ recipients: [], messages: [] });
    expect((await outbox(ids.aboutOpenCase)).messages).toEqual([]);
    expect(await db.prisma.staffDigestItem.count()).toBe(0);
    expect(await db.prisma.pendingErasure.count()).toBe(0);
    expect(await db.transaction((tx) => eraseClosedRequests(tx, now))).toBe(0);
  });

  it("a closed request whose queued push never leaves is anonymised after the grace period", async () => {
    const user = "U0000000000000000000000000000e1b0";
    const r = await request(user, "PENDING");
    await db.transaction((tx) => eraseOnWithdrawal(tx, { lineUserId: user, fullName: null, phone: null, now }));
    await db.prisma.helpRequest.update({ where: { id: r.id }, data: { status: "REJECTED" } });
    await db.transaction((tx) => enqueuePush(tx, user, text("ไม่รับเรื่อง"), { purpose: "request.status", now }));
    expect(await db.transaction((tx) => eraseClosedRequests(tx, now))).toBe(0);
    const later = new Date(now.getTime() + QUEUED_NOTICE_GRACE_MS + 1);
    expect(await db.transaction((tx) => eraseClosedRequests(tx, later))).toBe(1);
    expect((await row(r.id)).lineUserId).toBe("erased");
  });
});
