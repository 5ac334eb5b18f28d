import { describe, expect, it } from "vitest";
import { type MoeLaunch, searchCpuMoe } from "./moe-search.js";

/** A launcher that runs out of memory below `survivesFrom` and decodes at `speed(N)`; it logs each launch. */
function scripted(survivesFrom: number, speed: (layers: number) => number) {
  const launched: number[] = [];
  const launch = async (cpuMoeLayers: number): Promise<MoeLaunch> => {
    launched.push(cpuMoeLayers);
    const outOfMemory = cpuMoeLayers < survivesFrom;
    return { cpuMoeLayers, outOfMemory, decodeTokensPerSecond: outOfMemory ? 0 : speed(cpuMoeLayers) };
  };
  return { launch, launched };
}

describe("searchCpuMoe", () => {
  it("when the plan's N_min survives: launches N_min, N_min+1, N_min+2 and keeps the fastest", async () => {
    const { launch, launched } = scripted(0, (layers) => [10, 30, 20][layers - 4] ?? 0);
    const result = await searchCpuMoe(4, 40, launch);
    expect(launched).toEqual([4, 5, 6]);
    expect(result.chosen?.cpuMoeLayers).toBe(5);
  });

  it("when N_min runs out of memory: bisects upward for the smallest survivor, then tries two more", async () => {
    const { launch, launched } = scripted(13, (layers) => 100 - layers);
    const result = await searchCpuMoe(4, 40, launch);
    // 4 fails; bisection over 5…40 finds 13; then 14 and 15; nothing is launched twice.
    expect(launched[0]).toBe(4);
    expect(new Set(launched).size).toBe(launched.length);
    expect(launched.slice(-2)).toEqual([14, 15]);
    expect(launched).toContain(13);
    expect(result.chosen?.cpuMoeLayers).toBe(13);
    expect(result.launches.filter((launch) => launch.outOfMemory).every((launch) => launch.cpuMoeLayers < 13)).toBe(
      true,
    );
  });

  it("does not launch past the model's last block", async () => {
    const { launch, launched } = scripted(0, () => 1);
    await searchCpuMoe(1, 2, launch);
    expect(launched).toEqual([1, 2]);
  });
});
