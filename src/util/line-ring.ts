/** Keeps the last `capacity` lines of a stream of text chunks (a process log's tail). */
export class LineRing {
  private readonly lines: string[] = [];
  private partial = "";

  constructor(private readonly capacity: number) {}

  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.capacity) this.lines.shift();
    }
    return parts;
  }

  tail(count = this.capacity): string {
    const lines = this.partial ? [...this.lines, this.partial] : this.lines;
    return lines.slice(-count).join("\n");
  }
}
