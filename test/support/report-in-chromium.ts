/**
 * Opens a self-contained HTML report (bench, eval, fit) in Debian's Chromium, waits for its uPlot
 * charts (the page lists them in `globalThis.benchCharts`), reads each chart's title, data points and
 * painted pixels and the page's `<pre>` text, and keeps a screenshot in test-artifacts/.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

export const ARTIFACTS = join(import.meta.dirname, "..", "..", "test-artifacts");

export interface ChartOnPage {
  title: string | null | undefined;
  /** The series' labels (the x series left out). */
  series: string[];
  /** Non-null values across the chart's series (the x values left out). */
  points: number;
  /** Pixels of the chart's canvas that are not transparent. */
  painted: number;
}

export interface ReportOnPage {
  charts: ChartOnPage[];
  /** The text of the page's first `<pre>`, when it has one. */
  text: string | null;
  /** Errors the page's scripts threw, and any request it made beyond its own file (a report is self-contained). */
  failures: string[];
}

export async function readReportInChromium(
  file: string,
  charts: number,
  screenshot: string,
  viewportHeight = 1200,
): Promise<ReportOnPage> {
  const profile = mkdtempSync(join(tmpdir(), "switchyard-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1100, height: viewportHeight },
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    timeout: 60_000,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const failures: string[] = [];
    page.on("pageerror", (error) => failures.push(error.message));
    page.on("request", (request) => {
      if (!request.url().startsWith("file:")) failures.push(`request ${request.url()}`);
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(
      (count) => (globalThis as unknown as { benchCharts?: unknown[] }).benchCharts?.length === count,
      charts,
    );
    const read = await page.evaluate(() =>
      (
        globalThis as unknown as {
          benchCharts: Array<{
            root: { querySelector(selector: string): { textContent: string | null } | null };
            series: Array<{ label: string }>;
            data: Array<Array<number | null>>;
            ctx: {
              canvas: { width: number; height: number };
              getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
            };
          }>;
        }
      ).benchCharts.map((chart) => {
        const canvas = chart.ctx.canvas;
        const pixels = chart.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let index = 3; index < pixels.length; index += 4) if ((pixels[index] as number) > 0) painted++;
        return {
          title: chart.root.querySelector(".u-title")?.textContent,
          series: chart.series.slice(1).map((series) => series.label),
          points: chart.data
            .slice(1)
            .flat()
            .filter((value) => value !== null).length,
          painted,
        };
      }),
    );
    const text = (await page.$("pre")) ? await page.textContent("pre") : null;
    await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
    return { charts: read, text, failures };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
