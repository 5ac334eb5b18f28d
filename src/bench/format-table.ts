/** A fixed-width text table; numbers get two decimals. */
export function formatTable(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (typeof cell === "number" ? cell.toFixed(2) : cell)))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => String(row[column] ?? "").length)));
  const lines: string[] = [];
  for (const [index, row] of cells.entries()) {
    lines.push(
      row
        .map((cell, column) => String(cell).padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    );
    if (index === 0) lines.push(widths.map((width) => "-".repeat(width)).join("  "));
  }
  return lines.join("\n");
}
