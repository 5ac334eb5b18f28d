import { existsSync } from "node:fs";
import { canRun, runCommand } from "../util/run-command.js";

export type Accelerator = "cpu" | "cuda" | "metal" | "vulkan";

export interface BuildFlavor {
  accelerator: Accelerator;
  /** cmake -D flags, beyond the ones every build gets. */
  cmakeFlags: string[];
  /** Why this accelerator was chosen, for the user. */
  reason: string;
}

/** Flags every build gets: only llama-server, no network at build time (no prebuilt web UI download). */
export const BASE_CMAKE_FLAGS = [
  "-DCMAKE_BUILD_TYPE=Release",
  "-DBUILD_SHARED_LIBS=OFF",
  "-DLLAMA_BUILD_TESTS=OFF",
  "-DLLAMA_BUILD_EXAMPLES=OFF",
  "-DLLAMA_BUILD_UI=OFF",
  "-DLLAMA_USE_PREBUILT_UI=OFF",
  "-DLLAMA_OPENSSL=OFF",
];

/** A GPU must actually be present: a CUDA toolkit alone (as on CI machines) would only slow the build. */
async function hasNvidiaGpu(): Promise<boolean> {
  const result = await runCommand("nvidia-smi", ["-L"], { timeoutMs: 10_000 }).catch(() => undefined);
  return result?.code === 0 && /GPU \d+:/.test(result.stdout);
}

async function hasVulkan(): Promise<boolean> {
  const headers = existsSync("/usr/include/vulkan/vulkan.h");
  if (!headers || !(await canRun("glslc", ["--version"]))) return false;
  const result = await runCommand("vulkaninfo", ["--summary"], { timeoutMs: 10_000 }).catch(() => undefined);
  return result?.code === 0 && /deviceType\s*=\s*PHYSICAL_DEVICE_TYPE_(DISCRETE|INTEGRATED)_GPU/.test(result.stdout);
}

/** Picks the accelerator: an explicit choice, else what the machine has, else CPU. */
export async function detectBuildFlavor(requested?: Accelerator): Promise<BuildFlavor> {
  const choose = async (): Promise<{ accelerator: Accelerator; reason: string }> => {
    if (requested) return { accelerator: requested, reason: "requested" };
    if (process.platform === "darwin" && process.arch === "arm64") {
      return { accelerator: "metal", reason: "Apple Silicon" };
    }
    if ((await hasNvidiaGpu()) && (await canRun("nvcc", ["--version"]))) {
      return { accelerator: "cuda", reason: "NVIDIA GPU and CUDA toolkit found" };
    }
    if (await hasVulkan()) return { accelerator: "vulkan", reason: "Vulkan GPU, headers and glslc found" };
    return { accelerator: "cpu", reason: "no GPU toolchain found" };
  };
  const { accelerator, reason } = await choose();
  const cmakeFlags: Record<Accelerator, string[]> = {
    cpu: process.platform === "darwin" ? ["-DGGML_METAL=OFF"] : [],
    cuda: ["-DGGML_CUDA=ON"],
    metal: ["-DGGML_METAL=ON"],
    vulkan: ["-DGGML_VULKAN=ON"],
  };
  return { accelerator, cmakeFlags: cmakeFlags[accelerator], reason };
}
