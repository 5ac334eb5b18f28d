import { clock, el, int, percent, shortId, usd } from "./format.js";

/** The totals strip in the header. */
export function renderTotals(container, totals) {
  const item = (label, value, title) => el("span", { className: "total", title }, el("b", {}, value), ` ${label}`);
  container.replaceChildren(
    item("sessions", int(totals.sessions)),
    item("turns", int(totals.turns)),
    item("local / cloud", `${int(totals.localTurns)} / ${int(totals.cloudTurns)}`),
    item("reused", percent(totals.reusedTokens, totals.promptTokens), "prompt tokens served from the cache"),
    item("misses", int(totals.misses)),
    item("cost", usd(totals.costUsd ?? undefined), "what the cloud turns cost"),
    item(
      "saved",
      usd(totals.savedUsd ?? undefined),
      "what the local turns would have cost on the reference cloud model, less energy",
    ),
  );
}

/** Which `switchyard eval run` (and task) a session came from. */
export function evalTagBadge(tag) {
  return el(
    "div",
    { className: "small eval-tag", "data-testid": "eval-tag", title: `eval run ${tag.run}, task ${tag.task}` },
    `eval ${tag.run}${tag.task ? ` · ${tag.task}` : ""}`,
  );
}

/** The live sessions list, latest first; a click selects a session. */
export function renderSessions(container, sessions, selectedId, onSelect) {
  if (sessions.length === 0) {
    container.replaceChildren(el("p", { className: "muted" }, "No sessions yet."));
    return;
  }
  const header = el(
    "tr",
    {},
    el("th", {}, "Session"),
    el("th", { className: "num" }, "Turns"),
    el("th", { className: "num", title: "turns served locally / in the cloud" }, "L/C"),
    el("th", { className: "num", title: "prompt tokens reused from the cache" }, "Reuse"),
    el("th", { className: "num" }, "Miss"),
    el("th", { className: "num" }, "Cost"),
    el("th", { className: "num" }, "Saved"),
  );
  const rows = sessions.map((session) =>
    el(
      "tr",
      {
        className: session.sessionId === selectedId ? "selected" : "",
        "data-session-id": session.sessionId,
        tabIndex: 0,
        onclick: () => onSelect(session.sessionId),
        onkeydown: (event) => {
          if (event.key === "Enter") onSelect(session.sessionId);
        },
      },
      el(
        "td",
        { title: session.sessionId },
        el("div", { className: "mono" }, shortId(session.sessionId)),
        el(
          "div",
          { className: "muted small" },
          [clock(session.lastAt), session.client, session.lastBackend].filter(Boolean).join(" · "),
        ),
        session.evalTag ? evalTagBadge(session.evalTag) : null,
      ),
      el("td", { className: "num" }, int(session.turns)),
      el("td", { className: "num" }, `${session.localTurns}/${session.cloudTurns}`),
      el("td", { className: "num" }, percent(session.reusedTokens, session.promptTokens)),
      el("td", { className: session.misses > 0 ? "num warn" : "num" }, int(session.misses)),
      el("td", { className: "num" }, usd(session.costUsd)),
      el("td", { className: "num" }, usd(session.savedUsd)),
    ),
  );
  container.replaceChildren(el("table", { className: "grid" }, el("thead", {}, header), el("tbody", {}, rows)));
}
