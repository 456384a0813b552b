// The demo, end to end, in a real browser: `npm start` without LINE
// credentials (local mode, fresh database, demo data seeded at start), then
// Debian's Chromium driven by playwright-core through the chat page: a
// villager signs up, links her welfare-fund record and sees her balance,
// files a flood request with a photo; the council secretary, shown the staff
// rich menu, gets the case, accepts it and sees the photo; the villager sees the status. Screenshots of the key screens go to
// a temporary folder, or to docs/screenshots/ (shown in the README) with
// UPDATE_SCREENSHOTS=1, so a test run leaves the tree clean.
import { SHIPPED_MAIN } from "../support/shipped-command.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_MEMBER, DEMO_PERSONAS } from "../../src/simulator/demo-seed.ts";
import { BROWSER_TEST_PREREQUISITES } from "./prerequisites.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = process.env.UPDATE_SCREENSHOTS ? path.resolve("docs/screenshots") : path.join(tmpdir(), `clb-screenshots-${process.pid}`);
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`Skipping the browser test: no Chromium at ${CHROMIUM}. ${BROWSER_TEST_PREREQUISITES}`);
}

/** A drawn house in a flood (PNG, as a phone would send a photo). */
function housePhoto(): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320">
    <rect width="480" height="320" fill="#bfe3f5"/><rect y="210" width="480" height="110" fill="#6b8fa8"/>
    <polygon points="140,120 240,50 340,120" fill="#a0522d"/><rect x="160" y="120" width="160" height="120" fill="#f2deb3"/>
    <rect x="220" y="170" width="40" height="70" fill="#7a4a24"/><rect y="225" width="480" height="95" fill="#5a87a6" opacity="0.85"/></svg>`;
  return Buffer.from(new Resvg(svg).render().asPng());
}

const villager = DEMO_PERSONAS.find((p) => p.role === "villager")!;
const secretary = DEMO_PERSONAS.find((p) => p.role === "secretary")!;

describe.skipIf(!hasChromium)("demo chat in a browser (local mode)", () => {
  let child: ChildProcess;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "clb-e2e-"));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "warn" };
    for (const name of ["DATABASE_URL", "LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "PUBLIC_BASE_URL"]) delete env[name];
    child = spawn(process.execPath, [...SHIPPED_MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", (d) => {
        stdout += d;
        const m = /Demo chat: (http:\/\/localhost:\d+\/simulator)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // As root in CI; and no calls home, which a closed network refuses.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 900, height: 1000 }, locale: "th-TH" });
    page.setDefaultTimeout(180_000); // a busy machine is slow: only a hang should fail
    await mkdir(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const botRows = () => page.locator("#messages .row.bot");
  /** A screenshot for the README; with the rich menu folded away unless asked, so more of the chat shows. */
  async function shot(name: string, options: { richMenu?: boolean } = {}): Promise<void> {
    await page.mouse.move(1, 1); // no hover highlight on the menu tile just tapped
    if (!options.richMenu) await page.click("#menu-toggle");
    // Typed structurally: the test's TypeScript has no DOM library.
    await page.locator("#messages").evaluate((box: { scrollTop: number; scrollHeight: number }) => {
      box.scrollTop = box.scrollHeight;
    });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
    if (!options.richMenu) await page.click("#menu-toggle");
  }

  /** Does something and waits until the bot has said something more. */
  async function act(work: () => Promise<void>): Promise<void> {
    const before = await botRows().count();
    await work();
    await expect.poll(() => botRows().count(), { timeout: 180_000 }).toBeGreaterThan(before);
  }
  const tap = (label: string) => act(() => page.locator("#quick-replies").getByRole("button", { name: label, exact: true }).click());
  const tapCard = (label: string) => act(() => page.locator("#messages .flex-button", { hasText: label }).last().click());
  const tapMenu = (label: string) => act(() => page.locator("#rich-menu").getByRole("button", { name: label }).click());
  const type = (text: string) =>
    act(async () => {
      await page.fill("#text-input", text);
      await page.click("#send");
    });
  // vitest's expect has no locator matchers: Playwright's own waits do the asserting.
  const botSaid = (text: string | RegExp) => botRows().filter({ hasText: text }).last().waitFor({ state: "visible" });
  const unreadFor = (name: string) =>
    page.locator(`button[data-persona="${name}"] .unread`).waitFor({ state: "visible", timeout: 180_000 });
  const choosePersona = (name: string) => page.locator(`button[data-persona="${name}"]`).click();

  it("signs up, links the fund, files a flood request; the secretary accepts it", async () => {
    await page.goto(url);
    await choosePersona(villager.displayName);
    // First contact is a follow: greeting and the PDPA notice.
    await botSaid("ท่านยินยอมให้เก็บและใช้ข้อมูลนี้หรือไม่คะ");
    await tap("ยินยอม");
    await type("สมศรี ใจดี");
    await type("0812345678");
    await tap("เมืองศรีสะเกษ");
    await tap("เมืองเหนือ");
    await tap("ยืนยัน");
    await botSaid("สมัครสมาชิกเรียบร้อยแล้ว");
    await shot("signup", { richMenu: true });

    // Fund balance: link with the demo member's ID and birth date first.
    await tapMenu("ยอดเงินกองทุน");
    await botSaid("ยังไม่ได้เชื่อมบัญชี");
    await act(() => page.locator("#quick-replies, #messages").getByRole("button", { name: "เชื่อมบัญชีกองทุน" }).last().click());
    await type(DEMO_MEMBER.nationalId);
    await type(DEMO_MEMBER.birthDateThai);
    await tap("ยืนยัน");
    await tapMenu("ยอดเงินกองทุน");
    await botSaid("ยอดเงินกองทุนของฉัน");
    await shot("fund-balance");

    // A flood request for her own house.
    await tapMenu("ขอช่วยเหลือน้ำท่วม");
    await tap("บ้านของฉันเอง");
    await page
      .locator("#quick-replies")
      .getByRole("button", { name: /ส่งตำแหน่ง/ })
      .click();
    await act(() => page.locator('#village-list button[data-village="บ้านโนนสูง หมู่ 5"]').click());
    await type("4");
    await tap("ผู้สูงอายุ");
    await tap("เสร็จแล้ว");
    await tap("เอว");
    await tap("อาหาร");
    await tap("เสร็จแล้ว");
    // A photo of the house, from the page's + menu (LINE's image message).
    await act(() => page.setInputFiles("#image-input", { name: "house.png", mimeType: "image/png", buffer: housePhoto() }));
    await botSaid("ได้รับรูปแล้ว 1 รูป");
    await tap("เสร็จแล้ว");
    await tap("ข้าม");
    await tap("ยืนยันส่งคำขอ");
    await botSaid("ส่งคำขอความช่วยเหลือแล้วค่ะ");
    const caseNumber = /SSK-F-\d{4}-\d{4}/.exec((await botRows().filter({ hasText: "เลขที่คำขอ" }).last().textContent()) ?? "")?.[0];
    expect(caseNumber).toBeTruthy();
    await shot("flood-request");

    // The secretary of her council gets the case (a push: it arrives while another persona is open).
    await unreadFor(secretary.displayName);
    await choosePersona(secretary.displayName);
    await botSaid(caseNumber!);
    // Staff see the staff rich menu, linked to them as on LINE (the villager saw the default).
    await page.locator('#rich-menu[data-menu="council-staff-menu"]').waitFor({ state: "attached" });
    await shot("secretary-notification");
    await shot("staff-menu", { richMenu: true });
    await act(() => page.locator("#messages, #quick-replies").getByRole("button", { name: "รับเรื่อง", exact: true }).last().click());
    // The case opened: the villager's photo, served to LINE (here the
    // stand-in) at a signed /media link. The bot fetches it from LINE in the
    // background, so a card opened before that shows only the count.
    const photo = page.locator('#messages img[src*="/media/p"]');
    await expect
      .poll(
        async () => {
          if ((await photo.count()) === 0) await tapCard("ดูรายละเอียด");
          return photo.count();
        },
        { timeout: 180_000 },
      )
      .toBeGreaterThan(0);
    await photo.last().scrollIntoViewIfNeeded();
    await shot("secretary-case-photo");

    // Back to the villager: the status message about her case.
    await unreadFor(villager.displayName);
    await choosePersona(villager.displayName);
    await botSaid(/รับเรื่อง/);
    await page.locator('#rich-menu[data-menu="council-villager-menu"]').waitFor({ state: "attached" });
    await shot("villager-status");
  });
});
