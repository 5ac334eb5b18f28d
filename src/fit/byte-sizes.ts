const UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1e3,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1e6,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1e9,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1e12,
};

/** "24GiB", "24G" (binary), "24GB" (decimal), "512MiB" → bytes. */
export function parseByteSize(text: string): number {
  const match = /^\s*([\d.]+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[(match?.[2] ?? "").toLowerCase()];
  if (!match?.[1] || unit === undefined || Number.isNaN(Number(match[1]))) {
    throw new Error(`"${text}" is not a size (write e.g. 24GiB, 512MiB or 16GB)`);
  }
  return Math.round(Number(match[1]) * unit);
}

/** "32k" → 32768, "4096" → 4096. */
export function parseTokenCount(text: string): number {
  const match = /^\s*(\d+)\s*(k?)\s*$/i.exec(text);
  if (!match?.[1]) throw new Error(`"${text}" is not a context size (write e.g. 32k or 40960)`);
  return Number(match[1]) * (match[2] ? 1024 : 1);
}

export const MIB = 1024 ** 2;
export const GIB = 1024 ** 3;

export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) >= GIB) return `${(bytes / GIB).toFixed(1)} GiB`;
  if (Math.abs(bytes) >= MIB || bytes === 0) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function formatTokens(tokens: number): string {
  if (tokens === 0) return "0";
  return tokens % 1024 === 0 ? `${tokens / 1024}k` : String(tokens);
}
