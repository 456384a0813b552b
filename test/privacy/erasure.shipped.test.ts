// Consent withdrawal erases everywhere (issue 10 §6), through the shipped
// process (`src/main.ts`, env only, PostgreSQL). A member signs up, files
// two flood requests (phone, location, vulnerable people, a photo, notes),
// cancels one, registers for a full meeting, lands in a secretary's digest
// and in failed pushes (LINE refuses pushes to them and to a second
// secretary); then withdraws. The closed request is anonymised at once; the
// open one keeps what its handling needs until the secretary resolves it.
//
// The final check is driven by the database catalog: every text, jsonb,
// bytea and double column of every table must be classified below, and
// none but the few "kept" ones may still hold any of the member's values.
// A column added later fails the test until someone classifies it (and,
// if personal, erases it in src/privacy/erasure.ts; docs/privacy.md).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePostback } from "../../src/engine/postback.ts";
import { bangkokInstant, bangkokIsoDate } from "../../src/thai/format.ts";
import { newEventId } from "../support/harness.ts";
import { waitUntil } from "../support/line-server.ts";
import { lineUserId, ShippedBot, type ShippedUser } from "../support/shipped.ts";

/** Can hold a villager's personal data: after withdrawal (and the close of open requests), none of the member's. */
const PERSONAL = "personal";
/** Staff's own data under their role: a villager's withdrawal leaves it, and it must not hold the member's. */
const STAFF = "staff";
const NOT_PERSONAL = "not personal";
/** May still hold the withdrawn member's values, for the reason given (docs/privacy.md). */
const kept = (why: string) => ({ kept: why });
type Class = typeof PERSONAL | typeof STAFF | typeof NOT_PERSONAL | { kept: string };

const LEDGER = kept("the welfare fund's own ledger (imported from its treasurer); unlinked, not erased, on withdrawal");

const CATALOG: Record<string, Record<string, Class>> = {
  _prisma_migrations: { id: NOT_PERSONAL, checksum: NOT_PERSONAL, migration_name: NOT_PERSONAL, logs: NOT_PERSONAL },
  announcement: { createdBy: STAFF, text: STAFF },
  announcement_recipient: { lineUserId: PERSONAL },
  case_counter: { prefix: NOT_PERSONAL },
  consent_record: { lineUserId: kept("proof of consent and of its withdrawal (PDPA s.19)"), noticeVersion: NOT_PERSONAL },
  conversation: {
    lineUserId: kept("the chat's state: the user may go on using the bot as a guest"),
    flowId: NOT_PERSONAL,
    stepId: NOT_PERSONAL,
    data: PERSONAL,
    history: NOT_PERSONAL,
    returnTo: NOT_PERSONAL,
  },
  council: { name: NOT_PERSONAL },
  district: { nameTh: NOT_PERSONAL, nameEn: NOT_PERSONAL },
  province: { nameTh: NOT_PERSONAL, nameEn: NOT_PERSONAL },
  tambon: { nameTh: NOT_PERSONAL, nameEn: NOT_PERSONAL, zipCode: NOT_PERSONAL },
  fund_beneficiary: { name: LEDGER, relation: LEDGER },
  fund_benefit_payment: { note: LEDGER },
  fund_benefit_rule: { note: NOT_PERSONAL },
  fund_contribution: { receiptNo: LEDGER },
  // Keyed hashes (issue 10 §3): no personal data, kept through withdrawal for the lock-out.
  fund_link_attempt: { nationalIdKey: NOT_PERSONAL, userKey: NOT_PERSONAL },
  fund_link_request: { nationalId: PERSONAL, decidedBy: STAFF },
  fund_member: { memberNo: LEDGER, nationalId: LEDGER, title: LEDGER, firstName: LEDGER, lastName: LEDGER, phone: LEDGER },
  help_request: {
    caseNumber: NOT_PERSONAL,
    lineUserId: PERSONAL,
    householdName: PERSONAL,
    latitude: PERSONAL,
    longitude: PERSONAL,
    address: PERSONAL,
    village: PERSONAL,
    vulnerable: PERSONAL,
    waterLevel: NOT_PERSONAL,
    needs: NOT_PERSONAL,
    note: PERSONAL,
    householdHead: PERSONAL,
    incomeBand: PERSONAL,
    landStatus: PERSONAL,
    phone: PERSONAL,
    assignedTo: STAFF,
    unsafeParts: NOT_PERSONAL, // the state of a house nobody can place any more: kept for reports
  },
  help_request_event: { actorUserId: PERSONAL, note: PERSONAL, assigneeUserId: STAFF },
  help_request_photo: { lineMessageId: PERSONAL, addedBy: PERSONAL, contentType: NOT_PERSONAL, bytes: PERSONAL, lastError: NOT_PERSONAL },
  help_request_voice: { lineMessageId: PERSONAL, addedBy: PERSONAL, contentType: NOT_PERSONAL, bytes: PERSONAL, lastError: NOT_PERSONAL },
  invite_attempt: { lineUserId: kept("the lock-out against invite-code guessing must survive withdraw + sign-up") },
  invite_code: { code: NOT_PERSONAL, createdBy: STAFF, usedBy: STAFF },
  line_user: { id: kept("who follows the bot: needed to answer them at all; holds nothing else") },
  media_file: { contentType: NOT_PERSONAL, bytes: STAFF, sha256: NOT_PERSONAL, createdBy: STAFF },
  meeting: {
    title: NOT_PERSONAL,
    agenda: NOT_PERSONAL,
    placeName: NOT_PERSONAL,
    latitude: NOT_PERSONAL,
    longitude: NOT_PERSONAL,
    address: NOT_PERSONAL,
    createdBy: STAFF,
  },
  meeting_registration: { lineUserId: PERSONAL },
  member: { lineUserId: PERSONAL, fullName: PERSONAL, phone: PERSONAL, householdVulnerable: PERSONAL },
  outbox_message: { purpose: NOT_PERSONAL, recipients: PERSONAL, messages: PERSONAL, dedupeKey: PERSONAL, lastError: NOT_PERSONAL },
  push_quota_usage: { month: NOT_PERSONAL },
  rich_menu_link: { lineUserId: STAFF, menu: NOT_PERSONAL },
  // Local mode only: names typed on the demo chat page for invented personas.
  simulator_persona: {
    userId: kept("local-mode demo personas (src/simulator); empty on a real channel"),
    displayName: kept("local-mode demo personas (src/simulator); empty on a real channel"),
  },
  // Disaster mode (src/disaster/): the coordinators' situations are staff data; a member's
  // check-in, answer and neighbour reports lose their LINE id (and the neighbour's name).
  situation: { message: STAFF, declaredBy: STAFF, endedBy: STAFF },
  situation_change: { areas: NOT_PERSONAL, message: STAFF, by: STAFF },
  safety_check_in: { lineUserId: PERSONAL },
  safety_answer: { lineUserId: PERSONAL, answeredBy: PERSONAL },
  neighbour_report: { reportedBy: PERSONAL, name: PERSONAL },
  aid_distribution: { householdKey: PERSONAL, recordedBy: STAFF },
  staff_digest_item: { lineUserId: STAFF, text: PERSONAL, subject: NOT_PERSONAL },
  staff_preference: { lineUserId: STAFF },
  staff_role: { lineUserId: STAFF, grantedBy: STAFF },
  staff_role_audit: { lineUserId: STAFF, by: STAFF, via: NOT_PERSONAL },
  webhook_event: {
    id: NOT_PERSONAL,
    sourceKey: kept("the event log: each event is deleted 7 days after it was answered (src/inbox)"),
    type: NOT_PERSONAL,
    payload: PERSONAL,
    replyToken: NOT_PERSONAL,
    outgoing: PERSONAL,
    lastError: NOT_PERSONAL,
  },
  welfare_fund: { code: NOT_PERSONAL, name: NOT_PERSONAL },
};

const TYPES = ["text", "character varying", "character", "jsonb", "json", "bytea", "double precision"];

// The member's values: none may survive outside the kept columns.
const NAME = "มะลิวัลย์ ถอนยินยอม";
const PHONE = "0861234599";
const LAT = 15.0987;
const LNG = 104.4321;
const ADDRESS = "บ้านเลขที่ 47 ซอยลำดวนหอม";
const NOTE = "ประตูหลังบ้านสีฟ้า มีสุนัขดุ";
const CANCEL_REASON = "ย้ายไปพักบ้านป้าแล้ว";
const STAFF_NOTE = "ส่งเรือไปรับยายที่บ้านแล้ว";
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]); // what the LINE stand-in serves as every image

const mine = (arg: string) => encodePostback({ kind: "menu", entry: "my-requests", arg });
const registerData = (id: number) => encodePostback({ kind: "menu", entry: "meeting-register", arg: String(id) });
const CASE = /เลขที่คำขอ: (SSK-F-\d{4}-\d{4})/;

interface Column {
  table: string;
  column: string;
  type: string;
}

describe("consent withdrawal erases everywhere, shipped (postgres)", () => {
  let bot: ShippedBot;
  let sql: pg.Client;

  beforeAll(async () => {
    bot = await ShippedBot.start({ db: "postgres" });
    sql = new pg.Client({ connectionString: bot.database.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await bot?.stop();
  });

  const one = async <T>(text: string, values: unknown[] = []) => (await sql.query(text, values)).rows[0] as T;

  async function catalog(): Promise<Column[]> {
    const { rows } = await sql.query<Column>(
      `SELECT table_name::text AS table, column_name::text AS column, data_type::text AS type
       FROM information_schema.columns WHERE table_schema = 'public' AND data_type = ANY($1::text[])
       ORDER BY table_name, ordinal_position`,
      [TYPES],
    );
    return rows;
  }

  /** Columns (table.column) where any of the member's values is found, with how many rows. */
  async function whereFound(member: string, texts: string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const c of await catalog()) {
      const col = `"${c.table}"."${c.column}"`;
      const query =
        c.type === "bytea"
          ? { text: `SELECT count(*)::int AS n FROM "${c.table}" WHERE position($1::bytea in ${col}) > 0`, values: [PHOTO] }
          : c.type === "double precision"
            ? { text: `SELECT count(*)::int AS n FROM "${c.table}" WHERE ${col} = ANY($1::float8[])`, values: [[LAT, LNG]] }
            : {
                text: `SELECT count(*)::int AS n FROM "${c.table}" WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) v WHERE strpos(${col}::text, v) > 0)`,
                values: [[member, ...texts]],
              };
      const { n } = await one<{ n: number }>(query.text, query.values);
      if (n > 0) found.set(`${c.table}.${c.column}`, n);
    }
    return found;
  }

  async function signUp(u: ShippedUser, name: string, phone: string) {
    await u.follow();
    await u.tap("ยินยอม");
    await u.say(name);
    await u.say(phone);
    await u.say("กันทรลักษ์");
    await u.tap(u.buttons()[0]!);
    await u.tap("ยืนยัน");
    expect(u.lastText()).toMatch(/สมัครสมาชิกเรียบร้อย/);
  }

  /** A member's flood request from the menu word to its case number. */
  async function fileFlood(u: ShippedUser, o: { vulnerable: string[]; photo: boolean; note: string | null }): Promise<string> {
    await u.say("น้ำท่วม");
    await u.tap("บ้านของฉันเอง");
    await u.send({ type: "message", message: { type: "location", id: newEventId(), latitude: LAT, longitude: LNG, address: ADDRESS } });
    expect(u.lastText()).toMatch(/กี่คน/);
    await u.say("4");
    for (const v of o.vulnerable) await u.tap(v);
    await u.tap("เสร็จแล้ว");
    await u.tap("เอว");
    await u.tap("ยา");
    await u.tap("เสร็จแล้ว");
    expect(u.lastText()).toMatch(/ส่งรูป/);
    if (o.photo) {
      await u.send({ type: "message", message: { type: "image", id: newEventId(), contentProvider: { type: "line" } } });
      await u.tap("เสร็จแล้ว");
    } else await u.tap("ข้าม");
    expect(u.lastText()).toMatch(/บอกเพิ่ม/);
    if (o.note) await u.say(o.note);
    else await u.tap("ข้าม");
    await u.tap("ยืนยันส่งคำขอ");
    const caseNumber = CASE.exec(u.lastText())?.[1];
    expect(caseNumber).toBeDefined();
    return caseNumber!;
  }

  const requestRow = (caseNumber: string) =>
    one<Record<string, unknown>>(`SELECT * FROM help_request WHERE "caseNumber" = $1`, [caseNumber]);

  it("every column is classified, and after withdrawal and the close of the open request none holds the member's data", async () => {
    // A catalog that lists a column the database does not have is stale, too.
    const columns = await catalog();
    const present = new Set(columns.map((c) => `${c.table}.${c.column}`));
    const unclassified = [...present].filter((k) => {
      const [t, c] = k.split(".") as [string, string];
      return CATALOG[t]?.[c] === undefined;
    });
    expect(unclassified, "classify these columns here and in docs/privacy.md").toEqual([]);
    const stale = Object.entries(CATALOG)
      .flatMap(([t, cols]) => Object.keys(cols).map((c) => `${t}.${c}`))
      .filter((k) => !present.has(k));
    expect(stale).toEqual([]);

    const member = bot.user(lineUserId(0xe0a5e));
    const waiting = bot.user(lineUserId(0xe0a5f));
    const secA = bot.user(lineUserId(0x5ec0a)); // evening digest; LINE takes her pushes
    const secB = lineUserId(0x5ec0b); // pushed; LINE refuses every push to her
    await signUp(member, NAME, PHONE);
    await signUp(waiting, "รอคิว ประชุมหน้า", "0861234500");
    const { councilId, memberId } = await one<{ councilId: number; memberId: number }>(
      `SELECT "councilId", id AS "memberId" FROM member WHERE "lineUserId" = $1`,
      [member.id],
    );
    await bot.withDb(async (db) => {
      for (const id of [secA.id, secB]) {
        await db.prisma.staffRole.create({
          data: { lineUserId: id, role: "SECRETARY", level: "COUNCIL", areaId: councilId, grantedBy: "cli:test", grantedAt: new Date() },
        });
      }
      await db.prisma.staffPreference.create({ data: { lineUserId: secA.id, digest: true } });
    });
    bot.line.policy = (r) =>
      r.kind === "push" && (r.to.includes(secB) || r.to.includes(member.id)) ? { kind: "status", status: 400 } : { kind: "accept" };

    // A full meeting: the member's party of two takes both seats, the next member waits.
    const day = bangkokIsoDate(new Date(Date.now() + 7 * 24 * 3_600_000));
    const meetingId = await bot.withDb(async (db) => {
      const m = await db.prisma.meeting.create({
        data: {
          title: "ประชุมสภาฯ ประจำเดือน",
          startsAt: bangkokInstant(day, "09:30"),
          endsAt: bangkokInstant(day, "12:00"),
          placeName: "ศาลาประชาคม",
          capacity: 2,
          audience: { create: [{ level: "COUNCIL", areaId: councilId }] },
        },
      });
      return m.id;
    });
    for (const [u, people] of [
      [member, "2"],
      [waiting, "1"],
    ] as const) {
      await u.postback(registerData(meetingId));
      await u.say(people);
      await u.tap("ยืนยันลงทะเบียน");
    }

    // The request cancelled before withdrawal, and the one still open at it.
    const closedCase = await fileFlood(member, { vulnerable: ["ผู้สูงอายุ"], photo: false, note: null });
    const closedId = (await requestRow(closedCase)).id as number;
    await member.postback(mine(String(closedId)));
    await member.tap("ยกเลิกคำขอ");
    await member.tap("อื่น ๆ");
    await member.say(CANCEL_REASON);
    await member.tap("ยืนยันยกเลิกคำขอ");
    expect(member.lastText()).toContain(`ยกเลิกคำขอ ${closedCase} แล้วค่ะ`);

    const openCase = await fileFlood(member, { vulnerable: ["ผู้ป่วยติดเตียง", "ผู้สูงอายุ"], photo: true, note: NOTE });
    // The secretary takes it from her card; the villager's "accepted" push is refused by LINE.
    await waitUntil(() => secA.accepted().some((r) => JSON.stringify(r.messages).includes(openCase)), {
      what: "the case card",
    });
    await secA.tap("รับเรื่อง");
    expect(secA.lastText()).toContain(`รับเรื่องคำขอ ${openCase} แล้วค่ะ`);

    const texts = [NAME, PHONE, ADDRESS, NOTE, CANCEL_REASON, STAFF_NOTE, "bedridden", "ผู้ป่วยติดเตียง", `${LAT},${LNG}`];
    await waitUntil(
      async () => {
        const q = await one<{ failed: number; photos: number; digest: number }>(
          `SELECT (SELECT count(*)::int FROM outbox_message WHERE status = 'FAILED') AS failed,
                  (SELECT count(*)::int FROM help_request_photo WHERE status = 'FETCHED') AS photos,
                  (SELECT count(*)::int FROM staff_digest_item WHERE strpos(text, $1) > 0) AS digest`,
          [NAME],
        );
        // Refused: both registration notices, both case cards and the cancel notice to B, the "accepted" push to the member.
        // (5 was a moment on the way: the cancel notice to B came in with 2fef668.)
        expect(q).toEqual({ failed: 6, photos: 1, digest: 1 });
      },
      { what: "failed pushes, the fetched photo, the digest line" },
    );
    // The test reaches every place the issue names (else the final check proves nothing).
    const before = await whereFound(member.id, texts);
    for (const where of [
      "member.fullName",
      "member.phone",
      "staff_digest_item.text",
      "outbox_message.messages",
      "outbox_message.recipients",
      "outbox_message.dedupeKey",
      "meeting_registration.lineUserId",
      "help_request.lineUserId",
      "help_request.phone",
      "help_request.address",
      "help_request.latitude",
      "help_request.vulnerable",
      "help_request.note",
      "help_request_event.note",
      "help_request_event.actorUserId",
      "help_request_photo.bytes",
      "help_request_photo.addedBy",
    ]) {
      expect(before.get(where), where).toBeGreaterThan(0);
    }

    // Withdrawal.
    await member.say("ถอนความยินยอม");
    expect(member.lastText()).toContain("คำขอความช่วยเหลือที่ยังดำเนินการอยู่จะเก็บไว้จนเสร็จ แล้วจึงลบข้อมูลส่วนตัวออก");
    await member.tap("ยืนยันถอน");
    const confirmation = member.lastText();
    expect(confirmation).toContain("ถอนความยินยอมและลบข้อมูลส่วนตัวของท่านเรียบร้อยแล้วค่ะ");
    expect(confirmation).toContain("ยกเลิกการลงทะเบียนประชุมของท่านแล้ว 1 รายการ");
    expect(confirmation).toContain(
      "คำขอความช่วยเหลือที่เจ้าหน้าที่ยังดำเนินการอยู่ 1 รายการ จะเก็บข้อมูลไว้เท่าที่จำเป็นจนกว่าจะดำเนินการเสร็จ แล้วจึงลบข้อมูลส่วนตัวออก",
    );

    // The waiting member gets the freed seats, as after any cancellation.
    await waitUntil(() => waiting.accepted().some((r) => r.kind === "push" && JSON.stringify(r.messages).includes("ประชุมสภาฯ ประจำเดือน")), {
      what: "the promotion push",
    });
    const registrations = (
      await sql.query(`SELECT "lineUserId", status FROM meeting_registration WHERE "meetingId" = $1 ORDER BY id`, [meetingId])
    ).rows;
    expect(registrations).toEqual([
      { lineUserId: expect.stringMatching(/^erased:/), status: "CANCELLED" },
      { lineUserId: waiting.id, status: "REGISTERED" },
    ]);
    // Closed at withdrawal: anonymised at once.
    expect(await requestRow(closedCase)).toMatchObject({
      lineUserId: "erased",
      phone: null,
      latitude: null,
      address: null,
      vulnerable: [],
      memberId: null,
    });
    // Open: kept as its handling needs it, marked for later.
    expect(await requestRow(openCase)).toMatchObject({
      lineUserId: member.id,
      phone: PHONE,
      latitude: LAT,
      address: ADDRESS,
      note: NOTE,
      vulnerable: ["elderly", "bedridden"],
    });
    expect((await sql.query(`SELECT "requestId" FROM pending_erasure`)).rows).toEqual([{ requestId: (await requestRow(openCase)).id }]);

    // The secretary resolves it, with her own photo of the house and a note.
    await secA.tap("ดำเนินการเสร็จ");
    await secA.send({ type: "message", message: { type: "image", id: newEventId(), contentProvider: { type: "line" } } });
    expect(secA.lastText()).toMatch(/สรุปผลสั้น ๆ/);
    await secA.say(STAFF_NOTE);
    await secA.tap("ยืนยันเสร็จสิ้น");
    expect(secA.lastText()).toContain(`ปิดคำขอ ${openCase} เป็น “เสร็จสิ้น” แล้วค่ะ`);
    await waitUntil(
      async () => {
        expect((await sql.query(`SELECT 1 FROM pending_erasure`)).rows).toEqual([]);
        expect((await sql.query(`SELECT 1 FROM outbox_message WHERE status = 'PENDING'`)).rows).toEqual([]);
        expect((await sql.query(`SELECT 1 FROM help_request_photo WHERE status = 'PENDING'`)).rows).toEqual([]);
      },
      { what: "the resolved request anonymised" },
    );
    const open = await requestRow(openCase);
    expect(open).toMatchObject({
      status: "RESOLVED",
      lineUserId: "erased",
      phone: null,
      latitude: null,
      longitude: null,
      address: null,
      note: null,
      vulnerable: [],
    });
    // What reports count stays.
    expect(open).toMatchObject({
      kind: "FLOOD",
      councilId,
      peopleCount: 4,
      waterLevel: "waist",
      needs: ["medicine"],
      priority: "CRITICAL",
    });
    expect(await one(`SELECT count(*)::int AS n FROM help_request_photo WHERE "requestId" = $1`, [open.id])).toEqual({ n: 2 });
    expect(await one(`SELECT status, "withdrawnAt" IS NOT NULL AS w FROM member WHERE id = $1`, [memberId])).toEqual({
      status: "WITHDRAWN",
      w: true,
    });

    // Everywhere: only the kept columns may still name the member.
    const after = await whereFound(member.id, texts);
    const leaks = [...after.keys()].filter((k) => {
      const [t, c] = k.split(".") as [string, string];
      const cls = CATALOG[t]![c]!;
      return typeof cls === "string";
    });
    expect(leaks, "columns still holding the withdrawn member's data").toEqual([]);
  });
});
