import { readFileSync } from "node:fs";
import { platform } from "node:os";
import { runCommand } from "../util/run-command.js";
import type { MemoryDevice } from "./fit-plan.js";

export interface DetectedDevices {
  devices: MemoryDevice[];
  /** How each was found, for the output. */
  notes: string[];
}

/** NVIDIA GPUs by nvidia-smi: total memory per device, MiB. */
async function nvidiaGpus(): Promise<MemoryDevice[]> {
  const result = await runCommand("nvidia-smi", ["--query-gpu=name,memory.total", "--format=csv,noheader,nounits"], {
    timeoutMs: 10_000,
  }).catch(() => undefined);
  if (result?.code !== 0) return [];
  return result.stdout
    .split("\n")
    .map((line) => line.split(",").map((part) => part.trim()))
    .filter(([name, mib]) => name && mib && Number.isFinite(Number(mib)))
    .map(([name, mib], index) => ({
      name: `GPU${index} ${name}`,
      kind: "gpu" as const,
      bytes: Number(mib) * 1024 ** 2,
    }));
}

/** MemAvailable from /proc/meminfo: what the host can give a model now. */
export function hostAvailableBytes(meminfo = "/proc/meminfo"): number | undefined {
  try {
    const text = readFileSync(meminfo, "utf8");
    const kib = /^MemAvailable:\s+(\d+) kB/m.exec(text)?.[1];
    return kib ? Number(kib) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function macUnifiedBytes(): Promise<number | undefined> {
  const result = await runCommand("sysctl", ["-n", "hw.memsize"], { timeoutMs: 5_000 }).catch(() => undefined);
  const bytes = Number(result?.stdout.trim());
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}

/**
 * This machine's memory when no --gpu/--ram is given: NVIDIA GPUs plus host RAM; on a Mac, unified
 * memory at Metal's default working-set limit (about 75 % of RAM; `recommendedMaxWorkingSetSize` needs
 * the Metal API, so it is an approximation and says so).
 */
export async function detectDevices(): Promise<DetectedDevices> {
  if (platform() === "darwin") {
    const total = await macUnifiedBytes();
    if (total) {
      return {
        devices: [{ name: "unified", kind: "host", bytes: Math.floor(total * 0.75) }],
        notes: ["unified memory: 75 % of RAM (Metal's usual working-set limit; pass --gpu to set it)"],
      };
    }
  }
  const gpus = await nvidiaGpus();
  const host = hostAvailableBytes();
  const devices: MemoryDevice[] = [...gpus];
  const notes =
    gpus.length > 0 ? ["GPUs: nvidia-smi (total memory)"] : ["no GPU found (nvidia-smi): planning for the host"];
  if (host) {
    devices.push({ name: "host RAM", kind: "host", bytes: host });
    notes.push("host: MemAvailable from /proc/meminfo");
  }
  if (devices.length === 0) throw new Error("could not detect this machine's memory; pass --gpu and/or --ram");
  return { devices, notes };
}
