/**
 * npm run bench:memory — whether the gateway's memory stays bounded over a long run of many sessions.
 *
 * The gateway runs as it ships (`dist/cli/main.js serve --backend URL`, its default store and turns file
 * in a fresh state folder) in front of the loopback replay upstream answering at once, so the run is as
 * many turns as the gateway can take. MEMORY_CONCURRENCY clients each run sessions of four turns, one
 * after another. Three in four sessions are Claude Code 2.1.332's: its recorded request (its tools and
 * system prompt, the same every turn, as the client sends them) with a conversation that grows by a new
 * 2 KB tool-result-like message and a short answer each turn, under its own `x-claude-code-session-id`.
 * The fourth is a Chat Completions client's on the OpenAI door. Every MEMORY_ABORT_EVERY-th request the
 * client goes away at a random moment in its first 4 ms (before the answer, while it streams, or after),
 * as a user who interrupts a turn does, and the session goes on. Every request is new text, so every
 * cache the gateway keeps fills up (the remembered messages, the session table, the recent turns) well
 * before the end.
 *
 * The run is cut into MEMORY_PHASES. At the end of each, with no request in flight, it reads the
 * gateway's memory after a full collection (through its inspector, `--inspect` on a free loopback port)
 * twice: at once, with whatever the gateway still has to do for the turns it answered, and once every
 * turn's record is in the turns file (every completed turn's, and the count has settled). The growth
 * between the middle and the last drained reading, per 1,000 requests, is what a leak would show: memory
 * that is bounded stops growing once its caches are full.
 *
 * BENCH_BASELINE=DIR runs another checkout's gateway the same way after this one's (its memory beside
 * this build's). Environment: MEMORY_REQUESTS (24000), MEMORY_PHASES (6), MEMORY_CONCURRENCY (8),
 * MEMORY_ABORT_EVERY (3; 0 never).
 */
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Agent, request } from "undici";
import { FIXTURE_ROOT, replayHeaders, sessionRequests } from "../src/bench/recorded-sessions.js";
import { freePort } from "../src/util/free-port.js";
import { printTable, shippedCli, startChild, writeResults } from "./bench-support.js";
import { connectInspector, type MemoryUsage } from "./support/inspector-memory.js";
import { startReplayUpstream } from "./support/replay-upstream.js";

const REQUESTS = Number(process.env.MEMORY_REQUESTS ?? 24_000);
const PHASES = Number(process.env.MEMORY_PHASES ?? 6);
const CONCURRENCY = Number(process.env.MEMORY_CONCURRENCY ?? 8);
const TURNS_PER_SESSION = 4;
/** Every this many requests the client goes away during the turn (0: never). */
const ABORT_EVERY = Number(process.env.MEMORY_ABORT_EVERY ?? 3);
/** The turns file is taken as written once its count has not moved for this long. */
const SETTLED_MS = 300;
/** How long the gateway may take to write the records of the turns it answered. */
const DRAIN_TIMEOUT_MS = 120_000;

/** The largest request Claude Code 2.1.332 sent in the recorded agent session. */
const recorded = (() => {
  const directory = join(FIXTURE_ROOT, "..", "claude-code-2.1.332", "agent-session");
  const largest = sessionRequests(directory).sort(
    (a, b) => JSON.stringify(b.body).length - JSON.stringify(a.body).length,
  )[0];
  if (!largest?.body) throw new Error(`no recorded request in ${directory}`);
  return largest;
})();
const recordedSessionId = recorded.headers["x-claude-code-session-id"] as string;
const recordedSystem = ((recorded.body as { system: Array<{ text: string }> }).system ?? [])
  .map((block) => block.text)
  .join("\n");

/**
 * A session's turn. Most sessions are Claude Code's: the recorded request with this conversation and
 * session id. Every fourth session is a Chat Completions client's (the OpenAI door), with the recorded
 * system prompt.
 */
function turnRequest(
  gatewayUrl: string,
  session: number,
  conversation: Array<{ role: "user" | "assistant"; text: string }>,
): { url: string; headers: Record<string, string>; body: string } {
  const id = `memory-${session}`;
  if (session % 4 === 3)
    return {
      url: `${gatewayUrl}/v1/chat/completions`,
      headers: { "content-type": "application/json", "x-session-id": id },
      body: JSON.stringify({
        model: "local",
        stream: true,
        max_tokens: 256,
        messages: [
          { role: "system", content: recordedSystem },
          ...conversation.map(({ role, text }) => ({ role, content: text })),
        ],
      }),
    };
  const messages = conversation.map(({ role, text }) => ({ role, content: [{ type: "text", text }] }));
  return {
    url: `${gatewayUrl}/v1/messages`,
    headers: { ...replayHeaders(recorded), "x-claude-code-session-id": id },
    body: JSON.stringify({ ...recorded.body, messages }).replaceAll(recordedSessionId, id),
  };
}

interface Phase {
  requests: number;
  /** Requests the client gave up on during the turn, so far. */
  interrupted: number;
  /** Turn records written after the phase ended (the gateway's work left for the turns it had answered). */
  recordsBehind: number;
  atEnd: MemoryUsage;
  drained: MemoryUsage;
  /** From the phase's end until the last of those records was written (ms). */
  drainMs: number;
}

async function run(checkout: string, upstreamUrl: string): Promise<Phase[]> {
  const state = mkdtempSync(join(tmpdir(), "switchyard-bench-memory-"));
  const inspectPort = await freePort();
  const gateway = await startChild(
    [shippedCli(checkout), "serve", "--backend", upstreamUrl, "--port", "0"],
    { SWITCHYARD_CONFIG: "/nonexistent/switchyard-bench.json", XDG_STATE_HOME: state },
    [`--inspect=127.0.0.1:${inspectPort}`],
  );
  const dispatcher = new Agent({ connections: CONCURRENCY, headersTimeout: 60_000, bodyTimeout: 60_000 });
  try {
    const targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as Array<{
      webSocketDebuggerUrl: string;
    }>;
    const inspector = await connectInspector(targets[0]?.webSocketDebuggerUrl ?? "");
    const turnsFile = join(state, "switchyard", "turns.jsonl");
    // Lines in the turns file, read on from where the last count stopped (the file grows to tens of MB).
    let lines = 0;
    let read = 0;
    const written = () => {
      if (!existsSync(turnsFile)) return 0;
      const size = statSync(turnsFile).size;
      if (size > read) {
        const chunk = Buffer.allocUnsafe(size - read);
        const file = openSync(turnsFile, "r");
        try {
          readSync(file, chunk, 0, chunk.length, read);
        } finally {
          closeSync(file);
        }
        for (const byte of chunk) if (byte === 0x0a) lines++;
        read = size;
      }
      return lines;
    };
    let sent = 0;
    let aborted = 0;
    let nextSession = 0;
    const client = async (quota: number) => {
      while (sent < quota) {
        const session = nextSession++;
        const conversation: Array<{ role: "user" | "assistant"; text: string }> = [];
        for (let turn = 0; turn < TURNS_PER_SESSION && sent < quota; turn++) {
          conversation.push({
            role: "user",
            text: `session ${session}, turn ${turn}: ${"tool output line\n".repeat(120)}`,
          });
          const { url, headers, body } = turnRequest(gateway.url, session, conversation);
          // As a user interrupts a turn: the client goes away at some moment of it (before the answer,
          // while it streams or after), and the session goes on.
          const abort = ABORT_EVERY > 0 && sent % ABORT_EVERY === 0 ? new AbortController() : undefined;
          const timer = abort && setTimeout(() => abort.abort(), Math.random() * 4);
          sent++;
          try {
            const response = await request(url, { method: "POST", headers, body, dispatcher, signal: abort?.signal });
            const text = await response.body.text();
            if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
          } catch (error) {
            if (!abort?.signal.aborted) throw error;
            aborted++;
          } finally {
            clearTimeout(timer);
          }
          conversation.push({ role: "assistant", text: `done ${session}.${turn}` });
        }
      }
    };
    const phases: Phase[] = [];
    for (let phase = 1; phase <= PHASES; phase++) {
      const quota = Math.round((REQUESTS * phase) / PHASES);
      await Promise.all(Array.from({ length: CONCURRENCY }, () => client(quota)));
      const atEndWritten = written();
      const atEnd = await inspector.memory();
      // Every completed turn has a record; an interrupted one may, once the gateway has seen it go.
      const began = performance.now();
      let last = { count: written(), at: began };
      while (last.count < sent - aborted || performance.now() - last.at < SETTLED_MS) {
        if (performance.now() - began > DRAIN_TIMEOUT_MS)
          throw new Error(
            `${sent - aborted - last.count} completed turns' records still unwritten ${DRAIN_TIMEOUT_MS} ms after the phase`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
        const count = written();
        if (count !== last.count) last = { count, at: performance.now() };
      }
      phases.push({
        requests: sent,
        interrupted: aborted,
        recordsBehind: last.count - atEndWritten,
        atEnd,
        drained: await inspector.memory(),
        drainMs: last.at - began,
      });
      process.stderr.write(`${basename(checkout)}: ${sent} requests\n`);
    }
    inspector.close();
    return phases;
  } finally {
    await dispatcher.close();
    await gateway.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

/** KiB per 1,000 requests that heap and buffers grew from the middle phase's drained reading to the last. */
function growth(phases: Phase[]): number {
  const middle = phases[Math.floor((phases.length - 1) / 2)] as Phase;
  const last = phases.at(-1) as Phase;
  const total = (phase: Phase) => phase.drained.heapMiB + phase.drained.buffersMiB;
  return ((total(last) - total(middle)) * 1024 * 1000) / (last.requests - middle.requests);
}

const checkouts = [
  join(import.meta.dirname, ".."),
  ...(process.env.BENCH_BASELINE ? [process.env.BENCH_BASELINE] : []),
];
const upstream = await startReplayUpstream(0, 4);
const results: Array<{ checkout: string; phases: Phase[]; growthKiBPer1000: number }> = [];
try {
  for (const checkout of checkouts) {
    const phases = await run(checkout, upstream.url);
    results.push({ checkout, phases, growthKiBPer1000: growth(phases) });
  }
} finally {
  await upstream.close();
}

const mib = (value: number) => value.toFixed(1);
console.log(
  `\n${REQUESTS} requests, ${CONCURRENCY} clients, sessions of ${TURNS_PER_SESSION} turns, ${ABORT_EVERY ? `one request in ${ABORT_EVERY} interrupted` : "none interrupted"}; memory after a full collection (MiB)`,
);
printTable(
  [
    "gateway",
    "requests",
    "interrupted",
    "records behind",
    "heap at end",
    "buffers at end",
    "heap drained",
    "buffers drained",
    "RSS",
    "drain ms",
  ],
  results.flatMap(({ checkout, phases }, index) =>
    phases.map((phase) => [
      index === 0 ? "this checkout" : basename(checkout),
      String(phase.requests),
      String(phase.interrupted),
      String(phase.recordsBehind),
      mib(phase.atEnd.heapMiB),
      mib(phase.atEnd.buffersMiB),
      mib(phase.drained.heapMiB),
      mib(phase.drained.buffersMiB),
      mib(phase.drained.rssMiB),
      String(Math.round(phase.drainMs)),
    ]),
  ),
);
for (const [index, { checkout, growthKiBPer1000 }] of results.entries())
  console.log(
    `${index === 0 ? "this checkout" : basename(checkout)}: heap and buffers (drained) grew ${growthKiBPer1000.toFixed(0)} KiB per 1,000 requests over the second half`,
  );
// The remembered messages (16 MiB of text) fill over the first ~8,000 requests of this mix.
if (REQUESTS / 2 < 8_000)
  console.log("(a run this short ends before the gateway's caches are full: its growth is them filling)");
writeResults("memory", {
  requests: REQUESTS,
  phases: PHASES,
  concurrency: CONCURRENCY,
  turnsPerSession: TURNS_PER_SESSION,
  abortEvery: ABORT_EVERY,
  recordedRequest: `${recorded.session}/${recorded.file}`,
  results,
});
