import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { median } from "../bench/bench-support.js";
import { clearTouched, readTouched, referencedByClass } from "../bench/support/pages-touched.js";

const SMAPS = `00400000-04d4e000 r-xp 00000000 fe:01 1234                       /usr/local/bin/node
Size:              74040 kB
Referenced:         2100 kB
Anonymous:             0 kB
0597a000-05bd1000 rw-p 00000000 00:00 0                                  [heap]
Referenced:          480 kB
1c3a40000-1c3a80000 rw-p 00000000 00:00 0 
Referenced:          120 kB
2b6c4c40000-2b6c4c80000 rwxp 00000000 00:00 0 
Referenced:           64 kB
3315b4140000-3315b4180000 rw-p 00000000 00:00 0 
Referenced:           16 kB
7f8fa3043000-7f8fa307f000 r-xp 00000000 fe:01 99                         /usr/lib/x86_64-linux-gnu/libc.so.6
Referenced:          152 kB
`;

describe("bench:overhead's pages touched (BENCH_PAGES)", () => {
  it("sums smaps' Referenced by where the memory lies", () => {
    expect(referencedByClass(SMAPS)).toEqual({
      "heap and buffers": 136,
      "compiled code": 64,
      "node binary": 2100,
      "malloc heap": 480,
      other: 152,
    });
  });

  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
    child = undefined;
  });

  it.skipIf(process.platform !== "linux")(
    "counts the pages a sleeping process then touches, and none it touched before",
    async () => {
      // A process with 16 MiB written once, that writes one byte in each of the first N pages when told N.
      child = spawn(
        process.execPath,
        [
          "-e",
          `const memory = Buffer.alloc(16 << 20, 1);
           process.stdin.on("data", (data) => {
             for (let page = 0; page < Number(data); page++) memory[page * 4096] ^= 1;
             process.stdout.write("done\\n");
           });
           process.stdout.write("ready\\n");`,
        ],
        { stdio: ["pipe", "pipe", "pipe"] },
      );
      const running = child;
      const line = () => once(running.stdout, "data");
      await line();
      const touching = async (pages: number) => {
        // Cleared while it sleeps between requests, as the bench does.
        await delay(100);
        clearTouched(running.pid as number);
        running.stdin.write(`${pages}\n`);
        await line();
        return readTouched(running.pid as number)["heap and buffers"];
      };
      const none: number[] = [];
      const some: number[] = [];
      for (let round = 0; round < 5; round++) {
        none.push(await touching(0));
        some.push(await touching(2048));
      }
      // 2,048 pages of 4 KiB, beside what reading the line, answering and V8's own work (a collection, say)
      // touch either way, which varies from one time to the next by up to about a MiB.
      const difference = median(some) - median(none);
      expect(difference).toBeGreaterThanOrEqual(8192 - 512);
      expect(difference).toBeLessThanOrEqual(8192 + 1536);
    },
  );
});
