import { readClientName } from "../sessions/client-name.js";
import { turnCostView } from "./read-turn-extras.js";
import type { TurnRecord } from "./turn-record.js";
import type { TurnSource } from "./turn-source.js";

/** One line of `switchyard report`: a session, or the total. */
export interface ReportRow {
  sessionId: string;
  /** The agent of the row's latest turn that named one ("Codex 0.171.0"); empty when none did. */
  client: string;
  firstAt: string;
  lastAt: string;
  localTurns: number;
  cloudTurns: number;
  errors: number;
  prefilledTokens: number;
  reusedTokens: number;
  outputTokens: number;
  /** Of the output, the tokens the backends counted as reasoning (0 where none said). */
  reasoningTokens: number;
  /** Reused ÷ (reused + prefilled), 0..1; undefined without prompt tokens. */
  reuse: number | undefined;
  /** Paid to clouds. */
  cloudUsd: number;
  /** What the local turns would have cost on the reference model. */
  referenceUsd: number;
  energyUsd: number;
  /** referenceUsd − energyUsd: what serving locally saved. */
  savedUsd: number;
}

export interface Report {
  since: string | undefined;
  sessions: ReportRow[];
  total: ReportRow;
}

function emptyRow(sessionId: string, at: string): ReportRow {
  return {
    sessionId,
    client: "",
    firstAt: at,
    lastAt: at,
    localTurns: 0,
    cloudTurns: 0,
    errors: 0,
    prefilledTokens: 0,
    reusedTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    reuse: undefined,
    cloudUsd: 0,
    referenceUsd: 0,
    energyUsd: 0,
    savedUsd: 0,
  };
}

function add(row: ReportRow, turn: TurnRecord): void {
  if (turn.startedAt < row.firstAt) row.firstAt = turn.startedAt;
  if (turn.startedAt > row.lastAt) row.lastAt = turn.startedAt;
  if (turn.backendLocal === true) row.localTurns++;
  else if (turn.backendLocal === false) row.cloudTurns++;
  if (turn.error || turn.status >= 400) row.errors++;
  row.prefilledTokens += turn.prefilledTokens ?? 0;
  row.reusedTokens += turn.reusedTokens ?? 0;
  row.outputTokens += turn.outputTokens ?? 0;
  row.reasoningTokens += turn.usage?.reasoningTokens ?? 0;
  // Records come back from disk, maybe written by another version: read cost defensively.
  const cost = turnCostView(turn);
  row.cloudUsd += cost?.usd ?? 0;
  row.referenceUsd += cost?.referenceUsd ?? 0;
  row.energyUsd += cost?.energyUsd ?? 0;
  const prompt = row.reusedTokens + row.prefilledTokens;
  row.reuse = prompt > 0 ? row.reusedTokens / prompt : undefined;
  row.savedUsd = row.referenceUsd - row.energyUsd;
}

/** Per session and in total, over generation turns (count_tokens calls are not turns). */
export function buildReport(turns: readonly TurnRecord[], since?: string): Report {
  const sessions = new Map<string, ReportRow>();
  const total = emptyRow("total", turns[0]?.startedAt ?? "");
  for (const turn of turns) {
    if (turn.endpoint === "count_tokens") continue;
    const id = turn.sessionId ?? "(no session)";
    const row = sessions.get(id) ?? emptyRow(id, turn.startedAt);
    const client = readClientName(turn.client);
    if (client && turn.startedAt >= row.lastAt) row.client = client;
    add(row, turn);
    add(total, turn);
    sessions.set(id, row);
  }
  return { since, sessions: [...sessions.values()].sort((a, b) => a.firstAt.localeCompare(b.firstAt)), total };
}

export async function reportFromSource(source: TurnSource, since?: string): Promise<Report> {
  // Every turn in the range: an unbounded limit (the sources read Infinity as "no limit").
  return buildReport(await source.turns({ since, limit: Number.POSITIVE_INFINITY }), since);
}

/** `--since`: a duration back from `now` (`90s`, `30m`, `6h`, `7d`) or an ISO time. */
export function parseSince(value: string, now = Date.now()): string {
  const duration = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i.exec(value.trim());
  if (duration) {
    const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[(duration[2] ?? "s").toLowerCase() as "s"];
    return new Date(now - Number(duration[1]) * unit * 1000).toISOString();
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new Error(`--since ${value}: give a duration (90s, 30m, 6h, 7d, 2w) or an ISO time`);
  return new Date(time).toISOString();
}

const usd = (value: number) => `$${value.toFixed(value !== 0 && Math.abs(value) < 0.01 ? 4 : 2)}`;
const percent = (value: number | undefined) => (value === undefined ? "-" : `${(value * 100).toFixed(1)}%`);

/** The report as a table for a terminal. */
export function formatReport(report: Report): string {
  const header = [
    "session",
    "client",
    "local",
    "cloud",
    "prefilled",
    "reused",
    "output",
    "reasoning",
    "reuse",
    "cloud $",
    "ref $",
    "energy $",
    "saved $",
  ];
  const line = (row: ReportRow) => [
    row.sessionId.length > 36 ? `${row.sessionId.slice(0, 35)}…` : row.sessionId,
    row.client,
    String(row.localTurns),
    String(row.cloudTurns),
    String(row.prefilledTokens),
    String(row.reusedTokens),
    String(row.outputTokens),
    String(row.reasoningTokens),
    percent(row.reuse),
    usd(row.cloudUsd),
    usd(row.referenceUsd),
    usd(row.energyUsd),
    usd(row.savedUsd),
  ];
  const rows = [header, ...report.sessions.map(line), line(report.total)];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  const render = (row: string[]) =>
    row
      .map((cell, column) => (column <= 1 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join("  ");
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [
    render(header),
    rule,
    ...report.sessions.map((row) => render(line(row))),
    rule,
    render(line(report.total)),
  ].join("\n");
}
