import { type ChartSpec, renderChartPage } from "../../bench/html-report.js";
import { formatTokens, GIB } from "../../fit/byte-sizes.js";
import type { FitPlan } from "../../fit/fit-plan.js";
import type { DeviceParts, SweepPoint } from "../../fit/plan-sweep.js";

const gib = (bytes: number) => Math.round((bytes / GIB) * 1000) / 1000;

/**
 * Stacked bars of one device's memory by part, and its budget as a line. The page's bars overlap at one
 * x, so each series is the running total up to its part, drawn largest first: the visible band of each
 * colour is that part.
 */
function partsChart(id: string, title: string, xLabel: string, xNames: string[], points: SweepPoint[], device: number) {
  const parts: Array<[string, (parts: DeviceParts) => number]> = [
    ["margin", (parts) => parts.margin],
    ["compute", (parts) => parts.compute],
    ["recurrent state", (parts) => parts.state],
    ["KV cache", (parts) => parts.kv],
    ["weights", (parts) => parts.weights],
  ];
  const on = (point: SweepPoint) => point.devices[device] as DeviceParts;
  const series: string[] = [];
  const data: Array<Array<number | null>> = [points.map((_, index) => index)];
  parts.forEach(([name], index) => {
    series.push(name);
    // Everything from this part down to the weights: the top of this part's band.
    data.push(points.map((point) => gib(parts.slice(index).reduce((sum, [, part]) => sum + part(on(point)), 0))));
  });
  series.push("budget");
  data.push(points.map((point) => gib(on(point).capacity)));
  const chart: ChartSpec = { id, title, xLabel, yLabel: "GiB", xNames, bars: true, lines: ["budget"], series, data };
  return chart;
}

export interface FitPicture {
  label: string;
  plans: FitPlan[];
  summary: string[];
  contexts: SweepPoint[];
  /** At the first planned context, when the model has experts and there is a GPU to keep them off. */
  cpuMoe?: { context: number; points: SweepPoint[] };
}

/** The fit report: memory by part against each device's budget, per context and per --n-cpu-moe. */
export function renderFitHtml(picture: FitPicture): string {
  const first = picture.plans[0] as FitPlan;
  const contextNames = picture.contexts.map((point) => formatTokens(point.x));
  const charts: ChartSpec[] = first.devices.map((device, index) =>
    partsChart(
      `context-${index}`,
      `${device.device.name}: memory by part per context (×${first.parallel} slots, --n-cpu-moe ${first.cpuMoeLayers}) against ${gib(device.device.bytes)} GiB`,
      "context (tokens)",
      contextNames,
      picture.contexts,
      index,
    ),
  );
  const moe = picture.cpuMoe;
  if (moe)
    first.devices.forEach((device, index) => {
      charts.push(
        partsChart(
          `cpu-moe-${index}`,
          `${device.device.name}: memory by part per --n-cpu-moe at ${formatTokens(moe.context)}×${first.parallel}`,
          "--n-cpu-moe (blocks whose experts stay on the host)",
          moe.points.map((point) => String(point.x)),
          moe.points,
          index,
        ),
      );
    });
  return renderChartPage({
    title: `Switchyard fit · ${picture.label}`,
    summary: picture.summary.join("\n"),
    charts,
    embedded: { "fit-picture": { label: picture.label, contexts: picture.contexts, cpuMoe: picture.cpuMoe } },
  });
}
