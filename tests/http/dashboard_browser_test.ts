/**
 * The dashboard end to end in headless Chromium (Debian's `chromium`, driven by playwright-core):
 * the page loads, its chart grows while a paced stream runs, and the retrain button leads to a
 * new model version. With `RETUNE_SCREENSHOT=<file.png>` it saves a screenshot of the page there
 * (docs/dashboard.png is made so).
 *
 * @module
 */

import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { HttpServer } from "../../http/server.ts";
import { RetuneSystem } from "../../actors/system.ts";
import { defaultLogger } from "../../logging/logger.ts";
import { testPipeline } from "../actors/fixtures/test_pipeline.ts";
import { eventually } from "../fixtures/eventually.ts";

/** Debian's Chromium, which scripts/test.ts installs when it is missing. */
const CHROMIUM = "/usr/bin/chromium";

/** Quiet, self-contained headless Chromium: no GPU, sandbox, first-run or background traffic. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Events per second the replayer sends: the stream lasts long enough to watch the chart grow. */
const PACE = 400;

Deno.test({
  name: "the dashboard loads, its chart grows while the stream runs, and Retrain ships a model",
  permissions: "inherit",
  async fn() {
    const pipeline = await testPipeline();
    const config = {
      ...pipeline.config,
      replayer: {
        ...pipeline.config.replayer,
        rate: { kind: "events_per_second" as const, value: PACE },
      },
    };
    const server = HttpServer.listen({ hostname: "127.0.0.1", port: 0, logger: defaultLogger() });
    // No observer: every model version after the first is one the dashboard asked for.
    const system = await RetuneSystem.build({
      config,
      roles: ["factory", "engine", "collector", "optimiser", "replayer"],
      input: pipeline.stream,
    });
    server.attach(system);
    const profile = await Deno.makeTempDir({ prefix: "retune-chromium-" });
    // A fresh profile (its --user-data-dir) for every run.
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 1100 },
    });
    try {
      await system.start();
      const page = await browser.newPage();
      await page.goto(server.url);
      assert.equal(await page.title(), "Retune dashboard");

      const points = async () =>
        Number(await page.locator("#mcc-chart").getAttribute("data-points"));
      await eventually(async () => await points() >= 1, {
        what: "the chart shows a first report",
        deadlineMs: 20_000,
      });
      const first = await points();
      await eventually(async () => await points() > first, {
        what: "the chart grows",
        deadlineMs: 20_000,
      });
      assert.equal(system.view("replayer").finished, false, "the chart grew while the stream ran");
      assert.equal(await page.locator("#mcc-chart canvas").count(), 1, "uPlot drew the chart");

      // A retrain needs a dataset version to train on.
      await page.locator("#datasets tbody tr").first().waitFor({ timeout: 20_000 });
      await page.click("#retrain");
      await page.locator("#models tbody tr", { hasText: "retrain" }).first().waitFor({
        timeout: 30_000,
      });
      await page.locator("#decisions tbody tr", { hasText: "dashboard" }).first().waitFor();
      const shipped = (await system.env.catalog.list()).map((model) => model.creationMethod);
      assert.deepEqual(shipped, ["initial", "retrain"]);

      const screenshot = Deno.env.get("RETUNE_SCREENSHOT");
      if (screenshot !== undefined) {
        await page.waitForTimeout(1_500);
        await page.screenshot({ path: screenshot, fullPage: true });
      }
    } finally {
      await browser.close();
      await system.stop();
      await server.close();
      await pipeline.dispose();
      await Deno.remove(profile, { recursive: true });
    }
  },
});
