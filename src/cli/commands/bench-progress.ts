/** A progress bar on a terminal; nothing in logs (the table that follows says what was measured). */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): {
  update: (done: number, total: number, label: string) => void;
  done: () => void;
} {
  let shown = false;
  return {
    update(done, total, label) {
      if (!stream.isTTY || total === 0) return;
      const width = 30;
      const filled = Math.round((Math.min(done, total) / total) * width);
      stream.write(`\r\x1b[2K[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total} ${label}`);
      shown = true;
    },
    done() {
      if (shown) stream.write("\n");
    },
  };
}
