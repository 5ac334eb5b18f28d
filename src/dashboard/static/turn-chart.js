// The per-session timeline: one bar per turn (prompt tokens, the reused part drawn over the prefilled part)
// and the time to first token as a line on its own axis. uPlot is loaded as a global by index.html.

const COLORS = { prefilled: "#e8833a", reused: "#3a8fe8", ttft: "rgba(30, 34, 40, 0.75)", miss: "#d43c3c" };

/** Whole turn numbers only on the x axis. */
const TURN_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

let chart;
let observer;

export function renderTurnChart(container, turns) {
  const uPlot = globalThis.uPlot;
  const index = turns.map((_, position) => position + 1);
  const prompt = turns.map((turn) => turn.promptTokens ?? null);
  const reused = turns.map((turn) => turn.reusedTokens ?? null);
  const prefilled = turns.map((turn) => turn.prefilledTokens ?? null);
  const missed = turns.map((turn) => (turn.miss ? (turn.promptTokens ?? 0) : null));
  const ttft = turns.map((turn) => (typeof turn.ttftMs === "number" ? Math.round(turn.ttftMs) : null));
  const bars = uPlot.paths.bars({ size: [0.7, 40], gap: 1 });
  const width = Math.max(320, container.clientWidth);
  const options = {
    width,
    height: 230,
    cursor: { drag: { x: true, y: false } },
    // Half a turn of room either side, so the first and last bars are drawn whole.
    scales: { x: { time: false, range: () => [0.5, turns.length + 0.5] }, ms: { auto: true } },
    axes: [
      {
        label: "turn",
        size: 36,
        incrs: TURN_STEPS,
        values: (_, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? tick : "")),
      },
      { label: "prompt tokens", size: 64, values: (_, ticks) => ticks.map(compact) },
      {
        label: "TTFT (ms)",
        scale: "ms",
        side: 1,
        size: 56,
        grid: { show: false },
        values: (_, ticks) => ticks.map(compact),
      },
    ],
    series: [
      { label: "turn", value: (_, value) => (value === null ? "–" : `#${value}`) },
      {
        // Drawn at the whole prompt's height, shown in the legend as the prefilled part.
        label: "prefilled",
        stroke: COLORS.prefilled,
        fill: COLORS.prefilled,
        paths: bars,
        points: { show: false },
        value: (_, __, ___, at) => (at === null || at === undefined ? "–" : fmt(prefilled[at])),
      },
      {
        label: "reused",
        stroke: COLORS.reused,
        fill: COLORS.reused,
        paths: bars,
        points: { show: false },
        value: (_, value) => fmt(value),
      },
      {
        label: "TTFT",
        scale: "ms",
        stroke: COLORS.ttft,
        width: turns.length > 200 ? 1 : 1.5,
        // Dots help with a few dozen turns and only blacken the chart with hundreds.
        points: { show: turns.length <= 100, size: 5, fill: COLORS.ttft },
        value: (_, value) => (value === null || value === undefined ? "–" : `${value} ms`),
      },
      {
        label: "miss",
        stroke: COLORS.miss,
        paths: () => null,
        points: { show: true, size: 9, width: 2, fill: "#fff" },
        value: (_, value) => (value === null || value === undefined ? "–" : "yes"),
      },
    ],
  };
  chart?.destroy();
  observer?.disconnect();
  container.replaceChildren();
  chart = new uPlot(options, [index, prompt, reused, ttft, missed], container);
  observer = new ResizeObserver(() => chart?.setSize({ width: Math.max(320, container.clientWidth), height: 230 }));
  observer.observe(container);
}

function fmt(value) {
  return typeof value === "number" ? value.toLocaleString("en-US") : "–";
}

function compact(value) {
  if (value >= 1_000_000) return `${value / 1_000_000}M`;
  if (value >= 1000) return `${value / 1000}k`;
  return String(value);
}
