// Disaster mode in the demo, in a real browser (issue 14, "Done when"):
// `npm start` without LINE credentials, Debian's Chromium through the chat
// page. The district coordinator declares a flood from the time panel (one
// tap); a signed-up villager gets the check-in with the flood-first rich
// menu and answers; after "เลื่อนเวลาไป 3 ชั่วโมง" the secretary opens the
// unanswered list, and the coordinator gets the summary with its chart.
// Screenshots go to a temporary folder, or to docs/screenshots/ (shown in
// the README) with UPDATE_SCREENSHOTS=1.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PERSONAS } from "../../src/simulator/demo-seed.ts";
import { SHIPPED_MAIN } from "../support/shipped-command.ts";
import { BROWSER_TEST_PREREQUISITES } from "./prerequisites.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = process.env.UPDATE_SCREENSHOTS ? path.resolve("docs/screenshots") : path.join(tmpdir(), `clb-screenshots-${process.pid}`);
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`Skipping the browser test: no Chromium at ${CHROMIUM}. ${BROWSER_TEST_PREREQUISITES}`);
}

const coordinator = DEMO_PERSONAS.find((p) => p.role === "coordinator" && p.about.includes("อำเภอ"))!;
const secretary = DEMO_PERSONAS.find((p) => p.role === "secretary")!;
const villager = DEMO_PERSONAS.find((p) => p.displayName === "ลุงคำปุ่น")!;

describe.skipIf(!hasChromium)("disaster mode in the demo, in a browser (local mode)", () => {
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
  async function shot(name: string, options: { richMenu?: boolean } = {}): Promise<void> {
    await page.mouse.move(1, 1);
    // The time panel's buttons are low on the page: clicking them scrolled it.
    await page.evaluate("window.scrollTo(0, 0)");
    if (!options.richMenu) await page.click("#menu-toggle");
    await page.locator("#messages").evaluate((box: { scrollTop: number; scrollHeight: number }) => {
      box.scrollTop = box.scrollHeight;
    });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
    if (!options.richMenu) await page.click("#menu-toggle");
  }
  async function act(work: () => Promise<void>): Promise<void> {
    const before = await botRows().count();
    await work();
    await expect.poll(() => botRows().count(), { timeout: 180_000 }).toBeGreaterThan(before);
  }
  const tap = (label: string) => act(() => page.locator("#quick-replies").getByRole("button", { name: label, exact: true }).click());
  const tapCard = (label: string) => act(() => page.locator("#messages .flex-button", { hasText: label }).last().click());
  const botSaid = (text: string | RegExp) => botRows().filter({ hasText: text }).last().waitFor({ state: "visible" });
  const choosePersona = (name: string) => page.locator(`button[data-persona="${name}"]`).click();
  const timePanel = async (label: string, said: string) => {
    await page.locator("#time-panel").getByRole("button", { name: label }).click();
    await page.locator("#time-result", { hasText: said }).waitFor({ state: "visible" });
  };

  it("the coordinator declares in one tap; a villager answers; the secretary's unanswered list; the coordinator's chart", async () => {
    await page.goto(url);
    // Staff personas are new friends of the bot, greeted with the sign-up: they decline it.
    for (const staff of [secretary, coordinator]) {
      await choosePersona(staff.displayName);
      await botSaid("ท่านยินยอมให้เก็บและใช้ข้อมูลนี้หรือไม่คะ");
      await tap("ไม่ยินยอม");
    }

    await timePanel("จำลองน้ำท่วม", "ประกาศแล้ว");
    await botSaid("ประกาศสถานการณ์น้ำท่วม");

    // A villager of the tambon: the check-in, and the flood-first rich menu linked to him.
    await choosePersona(villager.displayName);
    await botSaid("ปลอดภัยไหม");
    await page.locator('#rich-menu[data-menu="council-flood-menu"]').waitFor({ state: "attached" });
    // A taller window: the whole check-in above the rich menu.
    await page.setViewportSize({ width: 900, height: 1240 });
    await shot("disaster-checkin", { richMenu: true });
    await page.setViewportSize({ width: 900, height: 1000 });
    await tapCard("ปลอดภัย");

    // Three hours on: the two who have not answered are listed for the secretary.
    await timePanel("เลื่อนเวลาไป 3 ชั่วโมง", "ผ่านไป 3 ชั่วโมง");
    await choosePersona(secretary.displayName);
    await botSaid("ยังไม่ตอบว่าปลอดภัยหรือไม่");
    await tap("สมาชิกที่ยังไม่ตอบ");
    await botSaid("สมาชิกที่ยังไม่ตอบเกิน 3 ชั่วโมง 2 คน");
    await shot("disaster-unanswered");

    // The coordinator's periodic summary, with its chart at the bot's own /media address.
    await choosePersona(coordinator.displayName);
    const chart = page.locator('#messages img[src*="/media/"]');
    await chart.last().waitFor({ state: "visible" });
    await expect.poll(() => chart.last().evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBeGreaterThan(0);
    // Tapped, it opens full size (LINE's image viewer), over the summary's text and table (the rich menu folded).
    await page.click("#menu-toggle");
    await page.locator("#messages").evaluate((box: { scrollTop: number; scrollHeight: number }) => {
      box.scrollTop = box.scrollHeight;
    });
    await chart.last().click();
    const full = page.locator("#image-viewer-img");
    await full.waitFor({ state: "visible" });
    await expect.poll(() => full.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBeGreaterThan(0);
    await page.mouse.move(1, 1);
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: path.join(SHOTS, "disaster-summary-chart.png") });
  });
});
