/**
 * A process's memory after a full collection, read through its inspector (the process runs with
 * `--inspect=127.0.0.1:0`): the Chrome DevTools Protocol's `HeapProfiler.collectGarbage`, then
 * `process.memoryUsage()` evaluated in its main context. The process runs as it ships; nothing in it
 * needs `--expose-gc`.
 */
import { WebSocket } from "undici";

export interface MemoryUsage {
  /** V8's heap in use (MiB). */
  heapMiB: number;
  /** Memory of ArrayBuffers and Buffers (MiB), outside V8's heap. */
  buffersMiB: number;
  /** Resident set size (MiB): what the system sees, which a collection rarely gives back. */
  rssMiB: number;
}

export interface Inspector {
  /** Collects garbage twice (the second collects what the first's finalizers let go), then reads the memory. */
  memory(): Promise<MemoryUsage>;
  close(): void;
}

const MiB = 1024 * 1024;

export async function connectInspector(url: string, timeoutMs = 30_000): Promise<Inspector> {
  const socket = new WebSocket(url);
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let next = 1;
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const pending = message.id === undefined ? undefined : waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id as number);
    if (message.error) pending.reject(new Error(`inspector: ${message.error.message}`));
    else pending.resolve(message.result);
  });
  const closed = () => {
    for (const pending of waiting.values()) pending.reject(new Error("the inspector's connection closed"));
    waiting.clear();
  };
  socket.addEventListener("close", closed);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no inspector at ${url} within ${timeoutMs} ms`)), timeoutMs);
    socket.addEventListener("open", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.addEventListener("error", () => {
      clearTimeout(timer);
      reject(new Error(`cannot reach the inspector at ${url}`));
    });
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`inspector: ${method} took over ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    async memory() {
      await call("HeapProfiler.collectGarbage");
      await call("HeapProfiler.collectGarbage");
      const result = (await call("Runtime.evaluate", {
        expression: "JSON.stringify(process.memoryUsage())",
        returnByValue: true,
      })) as { result: { value: string } };
      const usage = JSON.parse(result.result.value) as NodeJS.MemoryUsage;
      return { heapMiB: usage.heapUsed / MiB, buffersMiB: usage.arrayBuffers / MiB, rssMiB: usage.rss / MiB };
    },
    close: () => socket.close(),
  };
}
