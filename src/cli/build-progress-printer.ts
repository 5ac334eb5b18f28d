/** Shows build progress: a live line on a terminal, a line per 10 % step in logs and CI. */
export function buildProgressPrinter(stream: NodeJS.WriteStream = process.stderr): {
  update: (percent: number) => void;
  done: () => void;
} {
  const started = Date.now();
  let lastShown = -1;
  const elapsed = () => {
    const seconds = Math.round((Date.now() - started) / 1000);
    return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
  };
  return {
    update(percent) {
      if (stream.isTTY) {
        const width = 30;
        const filled = Math.round((percent / 100) * width);
        stream.write(
          `\r  building llama-server [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${percent}% ${elapsed()}`,
        );
        return;
      }
      const step = Math.floor(percent / 10) * 10;
      if (step > lastShown) {
        lastShown = step;
        stream.write(`  building llama-server: ${percent}% (${elapsed()})\n`);
      }
    },
    done() {
      if (stream.isTTY) stream.write("\n");
      stream.write(`  llama-server built in ${elapsed()}\n`);
    },
  };
}
