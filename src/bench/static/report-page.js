// Draws the bench report's charts with uPlot (inlined by html-report.ts). Plain browser script.
(() => {
  const specs = JSON.parse(document.getElementById("bench-charts").textContent);
  const colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
  window.benchCharts = specs.map((spec) => {
    const bars = spec.bars ? uPlot.paths.bars({ size: [0.6, 60], align: 0 }) : undefined;
    const pointsOnly = new Set(spec.pointsOnly ?? []);
    const lines = new Set(spec.lines ?? []);
    const series = [
      { label: spec.xLabel, value: (_, x) => (spec.xNames ? spec.xNames[x] : x) },
      ...spec.series.map((label, index) => {
        const color = colors[index % colors.length];
        if (pointsOnly.has(label))
          return { label, stroke: color, width: 0, paths: () => null, points: { show: true, size: 10, fill: color } };
        if (lines.has(label)) return { label, stroke: color, width: 2, dash: [8, 4], points: { show: false } };
        return {
          label,
          stroke: color,
          fill: spec.bars ? color : undefined,
          width: spec.bars ? 1 : 2,
          paths: bars,
          points: { show: !spec.bars },
        };
      }),
    ];
    const axes = [
      {
        label: spec.xLabel,
        values: spec.xNames ? (_, ticks) => ticks.map((tick) => spec.xNames[tick] ?? "") : undefined,
        splits: spec.xNames ? () => spec.xNames.map((_, index) => index) : undefined,
      },
      { label: spec.yLabel },
    ];
    const options = {
      title: spec.title,
      width: Math.min(1000, window.innerWidth - 60),
      height: 300,
      series,
      axes,
      scales: {
        x: { time: false, range: spec.xNames ? [-0.5, spec.xNames.length - 0.5] : undefined },
        y: { range: (_, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
    };
    return new uPlot(options, spec.data, document.getElementById(spec.id));
  });
})();
