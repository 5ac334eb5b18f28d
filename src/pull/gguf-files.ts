import type { HubFile } from "./hub-client.js";

/** One quant of a repository: one GGUF, or the parts of a split one in order. */
export interface QuantFiles {
  quant: string;
  files: HubFile[];
  totalBytes: number;
}

const SPLIT = /-(\d{5})-of-(\d{5})\.gguf$/i;
/** Quant names as llama.cpp's quantize writes them into file names: Q4_K_M, IQ4_XS, BF16, MXFP4… */
const QUANT = /(?:^|[-_.])((?:I?Q\d(?:_[A-Z0-9]+)*)|BF16|F16|F32|MXFP4(?:_MOE)?)(?=[-_.])/i;

function quantOf(path: string): string | undefined {
  const name = path.split("/").pop() ?? path;
  return QUANT.exec(name.replace(SPLIT, ".gguf"))?.[1]?.toUpperCase();
}

/** The GGUF model files of a repository by quant (projector files for vision, mmproj-*, are left out). */
export function groupGgufFiles(files: readonly HubFile[]): QuantFiles[] {
  const byQuant = new Map<string, HubFile[]>();
  for (const file of files) {
    const name = file.path.split("/").pop() ?? file.path;
    if (!name.toLowerCase().endsWith(".gguf") || name.toLowerCase().startsWith("mmproj")) continue;
    const quant = quantOf(file.path);
    if (!quant) continue;
    byQuant.set(quant, [...(byQuant.get(quant) ?? []), file]);
  }
  return [...byQuant.entries()]
    .map(([quant, group]) => {
      const sorted = [...group].sort((a, b) => a.path.localeCompare(b.path));
      return { quant, files: sorted, totalBytes: sorted.reduce((sum, file) => sum + file.size, 0) };
    })
    .sort((a, b) => a.totalBytes - b.totalBytes);
}

/** Checks that a split quant has every part (`-00001-of-00003` … `-00003-of-00003`). */
export function missingSplitParts(quant: QuantFiles): string[] {
  const first = quant.files[0];
  const match = first ? SPLIT.exec(first.path) : null;
  if (!first || !match?.[2]) return [];
  const total = Number(match[2]);
  const present = new Set(quant.files.map((file) => Number(SPLIT.exec(file.path)?.[1])));
  const missing: string[] = [];
  for (let part = 1; part <= total; part++) {
    if (!present.has(part))
      missing.push(first.path.replace(SPLIT, `-${String(part).padStart(5, "0")}-of-${match[2]}.gguf`));
  }
  return missing;
}

export function findQuant(groups: readonly QuantFiles[], quant: string, repo: string): QuantFiles {
  const found = groups.find((group) => group.quant === quant.toUpperCase());
  if (!found) {
    const available = groups.map((group) => group.quant).join(", ") || "none";
    throw new Error(`${repo} has no ${quant} GGUF (quants there: ${available})`);
  }
  return found;
}
