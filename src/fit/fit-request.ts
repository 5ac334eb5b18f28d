import { parseByteSize, parseTokenCount } from "./byte-sizes.js";
import { detectDevices } from "./detect-devices.js";
import type { FitRequest, MemoryDevice } from "./fit-plan.js";

/** The CLI's options for every `fit` command, as typed. */
export interface FitCliOptions {
  ctx?: string;
  parallel?: string;
  ctk?: string;
  ctv?: string;
  ubatch?: string;
  swaFull?: boolean;
  kvUnified?: boolean;
  gpu?: string;
  ram?: string;
  unified?: string;
  margin?: string;
  cpuMoe?: string;
}

export interface ParsedFitOptions {
  contexts: (number | "max")[];
  base: Omit<FitRequest, "context">;
  notes: string[];
}

function positive(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, not ${text}`);
  return value;
}

/** Devices from --gpu/--ram/--unified, else detected on this machine. */
async function devicesFrom(options: FitCliOptions): Promise<{ devices: MemoryDevice[]; notes: string[] }> {
  if (options.unified) {
    return {
      devices: [{ name: "unified", kind: "host", bytes: parseByteSize(options.unified) }],
      notes: ["unified memory: --unified"],
    };
  }
  if (options.gpu || options.ram) {
    const devices: MemoryDevice[] = (options.gpu ?? "")
      .split(",")
      .filter(Boolean)
      .map((size, index) => ({ name: `GPU${index}`, kind: "gpu" as const, bytes: parseByteSize(size) }));
    if (options.ram) devices.push({ name: "host RAM", kind: "host", bytes: parseByteSize(options.ram) });
    return { devices, notes: ["devices: as given"] };
  }
  return detectDevices();
}

export async function parseFitOptions(options: FitCliOptions): Promise<ParsedFitOptions> {
  const contexts = (options.ctx ?? "32k")
    .split(",")
    .map((part) => (part.trim() === "max" ? ("max" as const) : parseTokenCount(part)));
  const parallel = Math.max(1, positive(options.parallel, 1, "--parallel"));
  const { devices, notes } = await devicesFrom(options);
  return {
    contexts,
    notes,
    base: {
      parallel,
      // llama-server's default with an explicit -np is one KV stream per slot.
      unified: options.kvUnified ?? parallel === 1,
      ubatch: Math.max(1, positive(options.ubatch, 512, "--ubatch")),
      swaFull: options.swaFull ?? false,
      cache: { k: options.ctk ?? "f16", v: options.ctv ?? "f16" },
      cpuMoeLayers: positive(options.cpuMoe, 0, "--cpu-moe"),
      devices,
      // llama.cpp's own --fit leaves 1 GiB (fit-target 1024 MiB) by default.
      marginBytes: options.margin ? parseByteSize(options.margin) : 1024 ** 3,
    },
  };
}
