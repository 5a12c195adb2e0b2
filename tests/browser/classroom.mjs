// Drives the classroom page in headless Chromium (Debian's package) with playwright-core:
// load, play, see the clock advance, the map change and a chart gain points, move a lever
// slider, reset, and save a screenshot.
//
//   node tests/browser/classroom.mjs http://127.0.0.1:PORT OUT_DIR
//
// Exits non-zero, with the reason, on the first failed check.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, outDir] = process.argv.slice(2);
if (!url || !outDir) {
  console.error("usage: classroom.mjs URL OUT_DIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
  console.log(`ok: ${what}`);
}

const profile = mkdtempSync(join(tmpdir(), "asymwar-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 900 },
  // The machine has no network beyond loopback: without these flags Chromium keeps
  // trying to reach Google's services.
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
const errors = [];
try {
  const page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console error: ${m.text()}`);
  });
  const tick = async () => Number(await page.locator("#clock").getAttribute("data-tick"));
  const chartPoints = async () =>
    Math.max(0, ...(await page.$$eval(".chart canvas", (cs) => cs.map((c) => Number(c.dataset.points || 0)))));
  const mapPixels = () => page.$eval("#map", (c) => c.toDataURL("image/png"));

  await page.goto(url);
  await page.waitForFunction(() => document.querySelectorAll("#scenario option").length > 0, null, { timeout: 20000 });
  await page.waitForFunction(() => document.querySelectorAll(".chart canvas").length > 0);
  const scenarios = await page.$$eval("#scenario option", (os) => os.map((o) => o.value));
  check(scenarios.includes("tutorial") && scenarios.includes("mali_blockade"), `scenario picker lists ${scenarios.join(", ")}`);
  check((await page.locator("#legend span").count()) >= 3, "the legend has entries");
  check((await page.locator(".lever").count()) >= 6, "the levers are shown");

  const t0 = await tick();
  const p0 = await chartPoints();
  await page.waitForTimeout(300); // let the terrain picture arrive and be drawn
  const before = await mapPixels();

  await page.click("#play");
  await page.waitForFunction((t) => Number(document.querySelector("#clock").dataset.tick) > t + 48, t0, { timeout: 20000 });
  await page.waitForFunction((p) => {
    const pts = [...document.querySelectorAll(".chart canvas")].map((c) => Number(c.dataset.points || 0));
    return Math.max(...pts) > p + 1;
  }, p0, { timeout: 20000 });
  const t1 = await tick();
  check(t1 > t0, `the tick counter advanced (${t0} -> ${t1})`);
  check((await chartPoints()) > p0, `a chart gained points (${p0} -> ${await chartPoints()})`);
  check((await mapPixels()) !== before, "the map canvas changed");

  await page.click("#play"); // pause
  await page.waitForFunction(() => document.querySelector("#play").dataset.running === "0");

  // A lever slider: the first one this scenario's model has.
  const slider = page.locator(".lever input[type=range]:not([disabled])").first();
  check((await slider.count()) === 1, "an enabled lever slider exists");
  const id = await slider.getAttribute("id");
  const min = Number(await slider.getAttribute("min"));
  const max = Number(await slider.getAttribute("max"));
  const step = Number(await slider.getAttribute("step"));
  const target = Math.round((min + (max - min) * 0.6) / step) * step;
  const targetText = String(Number(target.toFixed(6)));
  await slider.fill(targetText);
  await page.waitForFunction(() => document.querySelector("#reset").classList.contains("pending"), null, { timeout: 10000 });
  const status = await page.locator("#status").textContent();
  check(/press Reset/.test(status), `moving ${id} to ${targetText} is accepted: "${status}"`);

  await page.click("#reset");
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.tick) === 0 &&
    !document.querySelector("#reset").classList.contains("pending"), null, { timeout: 20000 });
  check(true, "reset started a fresh run at tick 0");
  const kept = Number(await page.locator(`#${id}`).inputValue());
  check(Math.abs(kept - target) < 1e-9, `the new run keeps ${id} = ${kept}`);
  check((await chartPoints()) <= 1, "the charts restarted with the run");

  // Play a while for the picture, then pause and take the screenshot.
  await page.click("#play");
  await page.waitForFunction(() => Number(document.querySelector("#clock").dataset.tick) >= 24 * 12, null, { timeout: 30000 });
  await page.click("#play");
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(outDir, "classroom.png") });
  check(true, `screenshot saved to ${join(outDir, "classroom.png")}`);
  check(errors.length === 0, `no errors in the page${errors.length ? ": " + errors.join("; ") : ""}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
