// Fetching request photos from LINE's content API, on both databases: bytes
// stored, 404 and refused contents FAILED with the reason, a 500 retried
// after the backoff, the attempts bounded, a dead worker's lease taken over,
// and two claims at once sharing no row.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { claimPhotos, photoBackoffMs, PHOTO_FETCH_DEFAULTS } from "../../src/help-requests/photo-fetcher.ts";
import { attachPhotos } from "../../src/help-requests/request-store.ts";
import { STORE_DATABASES } from "../support/database.ts";
import { Harness, newEventId } from "../support/harness.ts";

describe.each(STORE_DATABASES)("request photos on %s", (kind) => {
  let h: Harness;
  let n = 0;

  /** A flood request with these LINE message ids attached, added at the clock's time. */
  async function requestWithPhotos(messageIds: string[]) {
    const council = await h.db.prisma.council.findFirstOrThrow({ orderBy: { id: "asc" } });
    const at = h.clock.now;
    const request = await h.db.prisma.helpRequest.create({
      data: { kind: "FLOOD", caseNumber: `TEST-F-0000-${++n}`, councilId: council.id, lineUserId: "U-photo", createdAt: at, updatedAt: at },
    });
    await h.db.transaction((tx) => attachPhotos(tx, request.id, messageIds, { userId: "U-photo", at }));
    return request.id;
  }
  const photo = (lineMessageId: string) => h.db.prisma.helpRequestPhoto.findUniqueOrThrow({ where: { lineMessageId } });
  const contentCalls = (id: string) => h.line.calls.filter((c) => c.kind === "content" && c.messageId === id).length;
  const ids = (label: string, count = 1) => Array.from({ length: count }, () => `${label}-${newEventId()}`);

  beforeAll(async () => {
    h = await Harness.start({ kind });
  });
  afterAll(async () => {
    await h?.stop();
  });
  afterEach(() => {
    expect(h.line.limitProblems).toEqual([]);
  });

  it("stores the bytes and content type of each photo", async () => {
    const [a, b] = ids("ok", 2) as [string, string];
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    h.line.contents.set(b, { contentType: "image/png", bytes: png });
    await requestWithPhotos([a, b]);
    await h.runJobs();
    const first = await photo(a);
    expect(first).toMatchObject({ status: "FETCHED", contentType: "image/jpeg", attempts: 1, leaseUntil: null, lastError: null });
    expect(Buffer.from(first.bytes!).subarray(0, 4)).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    expect(Buffer.from(first.bytes!).toString("latin1")).toContain(`fake photo ${a}`);
    expect(first.fetchedAt).toEqual(h.clock.now);
    const second = await photo(b);
    expect(second).toMatchObject({ status: "FETCHED", contentType: "image/png" });
    expect(Buffer.from(second.bytes!)).toEqual(png);
    // Fetched once: nothing is due any more.
    await h.runJobs();
    expect(contentCalls(a)).toBe(1);
  });

  it("gives up on content LINE no longer has (404), with the reason", async () => {
    const [gone] = ids("gone") as [string];
    h.line.expiredContent.add(gone);
    await requestWithPhotos([gone]);
    await h.runJobs();
    const row = await photo(gone);
    expect(row).toMatchObject({ status: "FAILED", bytes: null, attempts: 1, nextAttemptAt: null, leaseUntil: null });
    expect(row.lastError).toMatch(/404/);
    h.clock.advance(2 * 3_600_000);
    await h.runJobs();
    expect(contentCalls(gone)).toBe(1);
  });

  it("refuses a content that is not an image, or over 10 MB", async () => {
    const [pdf, huge] = ids("refused", 2) as [string, string];
    h.line.contents.set(pdf, { contentType: "application/pdf", bytes: Buffer.from("%PDF-1.4") });
    h.line.contents.set(huge, { contentType: "image/jpeg", bytes: Buffer.alloc(PHOTO_FETCH_DEFAULTS.maxBytes + 1, 1) });
    await requestWithPhotos([pdf, huge]);
    await h.runJobs();
    expect(await photo(pdf)).toMatchObject({ status: "FAILED", bytes: null, lastError: "not an image: application/pdf" });
    const big = await photo(huge);
    expect(big).toMatchObject({ status: "FAILED", bytes: null });
    expect(big.lastError).toMatch(/too large/);
  });

  it("retries a 500 after the backoff, then stores the photo", async () => {
    const [flaky] = ids("flaky") as [string];
    await requestWithPhotos([flaky]);
    h.line.failNext("content", 500);
    await h.runJobs();
    let row = await photo(flaky);
    expect(row).toMatchObject({ status: "PENDING", attempts: 1, leaseUntil: null });
    expect(row.lastError).toMatch(/500/);
    expect(row.nextAttemptAt).toEqual(new Date(h.clock.now.getTime() + photoBackoffMs(1)));
    // Not before it is due.
    h.clock.advance(photoBackoffMs(1) - 1_000);
    await h.runJobs();
    expect((await photo(flaky)).status).toBe("PENDING");
    h.clock.advance(1_000);
    await h.runJobs();
    row = await photo(flaky);
    expect(row).toMatchObject({ status: "FETCHED", attempts: 2, lastError: null });
    expect(row.bytes).not.toBeNull();
  });

  it("backs off 30 s doubling to an hour, and gives up after the last attempt", async () => {
    expect([1, 2, 3, 8, 9].map(photoBackoffMs)).toEqual([30_000, 60_000, 120_000, 3_600_000, 3_600_000]);
    const [down] = ids("down") as [string];
    await requestWithPhotos([down]);
    h.line.failNext("content", 503, PHOTO_FETCH_DEFAULTS.maxAttempts);
    for (let attempt = 1; attempt <= PHOTO_FETCH_DEFAULTS.maxAttempts; attempt++) {
      await h.runJobs();
      h.clock.advance(photoBackoffMs(attempt));
    }
    const row = await photo(down);
    expect(row).toMatchObject({ status: "FAILED", attempts: PHOTO_FETCH_DEFAULTS.maxAttempts, bytes: null });
    expect(row.lastError).toMatch(/gave up after 10 attempts/);
  });

  it("takes over a photo whose worker died once its lease has run out", async () => {
    const [orphan] = ids("orphan") as [string];
    await requestWithPhotos([orphan]);
    // A worker claims the photo and dies before fetching it.
    const leaseUntil = new Date(h.clock.now.getTime() + 60_000);
    const claimed = await h.db.transaction((tx) => claimPhotos(tx, h.clock.now, leaseUntil, 50));
    expect(claimed.map((p) => p.lineMessageId)).toContain(orphan);
    await h.runJobs();
    expect(await photo(orphan)).toMatchObject({ status: "PENDING", bytes: null });
    expect(contentCalls(orphan)).toBe(0);
    h.clock.advance(60_000);
    await h.runJobs();
    expect(await photo(orphan)).toMatchObject({ status: "FETCHED", attempts: 2, leaseUntil: null });
    expect(contentCalls(orphan)).toBe(1);
  });

  it("two claims at once share no photo", async () => {
    const batch = ids("shared", 6);
    await requestWithPhotos(batch);
    const leaseUntil = new Date(h.clock.now.getTime() + 60_000);
    const claim = () => h.db.transaction((tx) => claimPhotos(tx, h.clock.now, leaseUntil, 4));
    const [one, two] = await Promise.all([claim(), claim()]);
    const got = [...one!, ...two!].map((p) => p.lineMessageId);
    expect(new Set(got).size).toBe(got.length);
    expect(got.sort()).toEqual([...batch].sort());
    h.clock.advance(60_000);
    await h.runJobs();
  });
});
