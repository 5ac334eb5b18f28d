import { clock, dateTime, el, int, ms, NA, percent, rate, usd } from "./format.js";
import { evalTagBadge } from "./sessions-view.js";
import { renderTurnChart } from "./turn-chart.js";

const PAGE_SIZE = 50;
const MAX_MISSES = 50;
let page = { sessionId: undefined, index: 0 };

/** One session: summary, timeline chart, misses, routing decisions and a paginated turns table. */
export function renderSession(container, sessionId, summary, data) {
  if (page.sessionId !== sessionId) page = { sessionId, index: 0 };
  const turns = data.turns;
  const chart = el("div", { className: "chart", id: "turn-chart" });
  const number = new Map(turns.map((turn, position) => [turn.id, position + 1]));
  container.replaceChildren(
    el(
      "div",
      { className: "session-head" },
      el("h2", {}, "Session ", el("span", { className: "mono", "data-testid": "session-id" }, sessionId)),
      summary ? summaryLine(summary) : null,
      summary?.evalTag ? evalTagBadge(summary.evalTag) : null,
      data.truncated ? el("p", { className: "muted small" }, `Showing the latest ${turns.length} turns.`) : null,
    ),
    el(
      "section",
      { className: "panel" },
      el("h3", {}, "Timeline ", el("span", { className: "muted small" }, "prompt tokens reused / prefilled, TTFT")),
      chart,
    ),
    missesPanel(turns, number),
    routingPanel(turns, number),
    turnsPanel(container, sessionId, summary, data, number),
  );
  renderTurnChart(chart, turns);
}

function summaryLine(summary) {
  const fact = (label, value) => el("span", { className: "fact" }, `${label} `, el("b", {}, value));
  return el(
    "p",
    { className: "facts" },
    summary.client
      ? el("span", { className: "fact", "data-testid": "session-client" }, "client ", el("b", {}, summary.client))
      : null,
    fact("turns", int(summary.turns)),
    fact("local/cloud", `${summary.localTurns}/${summary.cloudTurns}`),
    fact("reuse", percent(summary.reusedTokens, summary.promptTokens)),
    fact("prefilled", int(summary.prefilledTokens)),
    el(
      "span",
      { className: "fact", "data-testid": "session-output", title: "tokens the models wrote" },
      "output ",
      el("b", {}, int(summary.outputTokens)),
      summary.reasoningTokens ? ` (${int(summary.reasoningTokens)} reasoning)` : null,
    ),
    fact("misses", int(summary.misses)),
    fact("errors", int(summary.errors)),
    fact("cost", usd(summary.costUsd)),
    fact("saved", usd(summary.savedUsd)),
    fact("from", dateTime(summary.firstAt)),
    fact("last", clock(summary.lastAt)),
  );
}

/** Splits two excerpts into the shared start and the differing rest, so the change stands out. */
function splitAtChange(before, after) {
  let common = 0;
  while (common < before.length && common < after.length && before[common] === after[common]) common++;
  return { common: before.slice(0, common), before: before.slice(common), after: after.slice(common) };
}

function missesPanel(turns, number) {
  const missed = turns.filter((turn) => turn.miss);
  const items = missed
    .slice(-MAX_MISSES)
    .reverse()
    .map((turn) => {
      const miss = turn.miss;
      const divergence = miss.divergence;
      let diff = null;
      if (divergence) {
        const parts = splitAtChange(divergence.before ?? "", divergence.after ?? "");
        diff = el(
          "div",
          { className: "diff" },
          el("div", { className: "diff-path" }, "changed at ", el("code", {}, divergence.path)),
          el(
            "pre",
            { className: "diff-before" },
            el("span", { className: "sign" }, "− "),
            parts.common,
            el("mark", {}, parts.before),
          ),
          el(
            "pre",
            { className: "diff-after" },
            el("span", { className: "sign" }, "+ "),
            parts.common,
            el("mark", {}, parts.after),
          ),
        );
      }
      return el(
        "li",
        { className: "miss", "data-turn-id": turn.id },
        el(
          "div",
          { className: "miss-head" },
          el("b", {}, `turn #${number.get(turn.id)}`),
          ` ${clock(turn.startedAt)} · ${turn.lane ?? NA} · `,
          el("span", { className: "badge miss-reason" }, miss.reason),
          typeof turn.expectedReuse === "number"
            ? ` reused ${int(turn.reusedTokens)} of ${int(turn.expectedReuse)} expected`
            : ` reused ${int(turn.reusedTokens)} of ${int(turn.promptTokens)} tokens`,
        ),
        el("p", { className: "explanation" }, miss.explanation),
        diff,
      );
    });
  return el(
    "section",
    { className: "panel", id: "misses" },
    el(
      "h3",
      {},
      `Cache misses (${missed.length})`,
      missed.length > MAX_MISSES ? el("span", { className: "muted small" }, ` latest ${MAX_MISSES} shown`) : null,
    ),
    items.length
      ? el("ul", { className: "misses" }, items)
      : el("p", { className: "muted" }, "No misses: every turn reused its lane's previous prompt."),
  );
}

/**
 * One line per run of a lane's turns routed the same way (backend, rule, reason): where a route began,
 * why, and what switching cost. Lanes interleave, so runs are tracked per lane.
 */
function routingPanel(turns, number) {
  const groups = [];
  const current = new Map();
  for (const turn of turns) {
    const rule = turn.routing?.rule ?? null;
    const reason = turn.routing?.reason ?? turn.routeReason ?? "";
    const lane = turn.lane ?? "";
    const last = current.get(lane);
    const failover = (turn.routing?.fallback ?? []).map((entry) => `${entry.backend} (${entry.code})`).join(", ");
    if (last && last.backend === turn.backend && last.rule === rule && last.reason === reason && !failover) {
      last.to = number.get(turn.id);
      last.count++;
      continue;
    }
    const group = {
      from: number.get(turn.id),
      to: number.get(turn.id),
      count: 1,
      lane: turn.lane,
      backend: turn.backend,
      model: turn.backendModel,
      local: turn.backendLocal,
      rule,
      changed: turn.routing?.sticky === false,
      reason: failover ? `${reason} · failed over from ${failover}` : reason,
      switchCost: turn.routing?.switchCost,
    };
    groups.push(group);
    current.set(lane, group);
  }
  const rows = groups
    .slice(-100)
    .map((group) =>
      el(
        "tr",
        {},
        el(
          "td",
          { className: "num", title: `${group.count} turn(s)` },
          group.from === group.to ? `#${group.from}` : `#${group.from}–${group.to}`,
        ),
        el("td", {}, group.lane ?? NA),
        el("td", {}, `${group.backend}${group.model ? ` / ${group.model}` : ""}`),
        el("td", {}, group.local === true ? "local" : group.local === false ? "cloud" : NA),
        el("td", {}, group.rule ?? NA, group.changed ? el("span", { className: "badge" }, "new") : null),
        el("td", { className: "wrap" }, group.reason || NA),
        el("td", { className: "wrap" }, switchCostText(group.switchCost)),
      ),
    );
  return el(
    "section",
    { className: "panel", id: "routing" },
    el("h3", {}, "Routing decisions"),
    el(
      "div",
      { className: "scroll routing" },
      el(
        "table",
        { className: "grid" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            ...["Turns", "Lane", "Backend / model", "Where", "Rule", "Reason", "Switch cost"].map((name) =>
              el("th", {}, name),
            ),
          ),
        ),
        el("tbody", {}, rows),
      ),
    ),
  );
}

/** "local→cloud: 12,345 tokens not cached, ~3.2 s, $0.0463 cache write". */
function switchCostText(cost) {
  if (!cost) return NA;
  const parts = [];
  if (typeof cost.tokensNotCached === "number") parts.push(`${int(cost.tokensNotCached)} tokens not cached`);
  if (typeof cost.seconds === "number") parts.push(`~${cost.seconds.toFixed(1)} s`);
  if (typeof cost.cacheWriteUsd === "number") parts.push(`${usd(cost.cacheWriteUsd)} cache write`);
  const route = cost.from || cost.to ? `${cost.from ?? "?"}→${cost.to ?? "?"}: ` : "";
  return `${route}${parts.join(", ") || NA}`;
}

function savedTitle(cost) {
  if (!cost || typeof cost.referenceUsd !== "number") return undefined;
  return `reference model ${usd(cost.referenceUsd)}, energy ${usd(cost.energyUsd ?? 0)}`;
}

function turnsPanel(container, sessionId, summary, data, number) {
  const newestFirst = [...data.turns].reverse();
  const pages = Math.max(1, Math.ceil(newestFirst.length / PAGE_SIZE));
  page.index = Math.min(page.index, pages - 1);
  const shown = newestFirst.slice(page.index * PAGE_SIZE, (page.index + 1) * PAGE_SIZE);
  const go = (index) => {
    page.index = index;
    renderSession(container, sessionId, summary, data);
    container.querySelector("#turns")?.scrollIntoView({ block: "start" });
  };
  const heads = [
    "#",
    "Time",
    "Lane",
    "Backend",
    "Status",
    "TTFT",
    "Prompt",
    "Reused",
    "Prefill",
    "Out",
    "Reuse",
    "Decode",
    "Miss",
    "Cost",
    "Saved",
  ];
  const rows = shown.map((turn) =>
    el(
      "tr",
      { "data-turn-id": turn.id, className: turn.miss ? "missed" : turn.status >= 400 ? "failed" : "" },
      el("td", { className: "num" }, number.get(turn.id)),
      el("td", {}, clock(turn.startedAt)),
      el("td", {}, turn.lane ?? NA),
      el("td", { title: turn.backendModel }, turn.slot === undefined ? turn.backend : `${turn.backend} · ${turn.slot}`),
      el(
        "td",
        { className: "num", title: turn.error?.message },
        turn.clientAborted ? `${turn.status} (gone)` : turn.status,
      ),
      el("td", { className: "num" }, ms(turn.ttftMs)),
      el("td", { className: "num" }, int(turn.promptTokens)),
      el(
        "td",
        {
          className: "num",
          // A new lane's empty slot started from another slot's prompt (prefix-copy.ts).
          title: turn.prefixCopy
            ? `started from slot ${turn.prefixCopy.fromSlot}'s prompt (${turn.prefixCopy.fromLane}), copied in ${turn.prefixCopy.ms} ms`
            : undefined,
        },
        int(turn.reusedTokens),
      ),
      el("td", { className: "num" }, int(turn.prefilledTokens)),
      el(
        "td",
        {
          className: "num",
          title: turn.usage?.reasoningTokens ? `${turn.usage.reasoningTokens} of them reasoning` : undefined,
        },
        int(turn.outputTokens),
      ),
      el("td", { className: "num" }, percent(turn.reusedTokens, turn.promptTokens)),
      el("td", { className: "num" }, rate(turn.decodeTokensPerSecond)),
      el("td", { title: turn.miss?.explanation }, turn.miss ? turn.miss.reason : ""),
      // A priced turn that paid nothing (local) or saved nothing (cloud) shows $0, an unpriced one n/a.
      el("td", { className: "num" }, usd(turn.cost ? (turn.cost.usd ?? 0) : undefined)),
      el(
        "td",
        { className: "num", title: savedTitle(turn.cost) },
        usd(turn.cost ? (turn.cost.savedUsd ?? 0) : undefined),
      ),
    ),
  );
  const pager =
    pages > 1
      ? el(
          "div",
          { className: "pager" },
          el("button", { disabled: page.index === 0, onclick: () => go(page.index - 1) }, "‹ newer"),
          el("span", {}, ` page ${page.index + 1} of ${pages} `),
          el("button", { disabled: page.index >= pages - 1, onclick: () => go(page.index + 1) }, "older ›"),
        )
      : null;
  return el(
    "section",
    { className: "panel", id: "turns" },
    el("h3", {}, `Turns (${data.turns.length}${data.truncated ? "+" : ""}), newest first`),
    el(
      "div",
      { className: "table-wrap" },
      el(
        "table",
        { className: "grid turns" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            heads.map((name) => el("th", {}, name)),
          ),
        ),
        el("tbody", {}, rows),
      ),
    ),
    pager,
  );
}
