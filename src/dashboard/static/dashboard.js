// The dashboard page: loads the overview, the selected session and the backends, and refreshes them
// when the gateway announces a new turn (Server-Sent Events) or every few seconds for slots.
import { renderBackends } from "./backends-view.js";
import { el } from "./format.js";
import { renderSession } from "./session-view.js";
import { renderSessions, renderTotals } from "./sessions-view.js";

const SESSION_LIMIT = 200;
const BACKEND_POLL_MS = 3000;
const state = { sessions: [], selected: undefined, sessionData: undefined };
const $ = (id) => document.getElementById(id);

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(15_000) });
  if (response.status === 401) {
    location.assign("/dashboard/login");
    throw new Error("signed out");
  }
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function selectedFromHash() {
  const match = /^#session=(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : undefined;
}

function select(sessionId) {
  if (sessionId === state.selected) return;
  location.hash = `session=${encodeURIComponent(sessionId)}`;
}

async function loadOverview() {
  const overview = await getJson(`/dashboard/api/overview?limit=${SESSION_LIMIT}`);
  state.sessions = overview.sessions;
  $("logout").hidden = !overview.authRequired;
  renderTotals($("totals"), overview.totals);
  // `switchyard bench --html` keeps a copy of its latest report; the header links it when there is one.
  $("bench-report").hidden = !overview.benchReport;
  if (overview.benchReport)
    $("bench-report").title = `written ${new Date(overview.benchReport.updatedAt).toLocaleString()}`;
  const shown = overview.sessions.length;
  $("session-count").textContent =
    overview.totals.sessions > shown ? `(latest ${shown} of ${overview.totals.sessions})` : `(${shown})`;
  state.selected ??= selectedFromHash() ?? overview.sessions[0]?.sessionId;
  renderSessions($("sessions"), state.sessions, state.selected, select);
}

async function loadSession() {
  const sessionId = state.selected;
  if (sessionId === undefined) return;
  const data = await getJson(`/dashboard/api/sessions/${encodeURIComponent(sessionId)}/turns`);
  if (sessionId !== state.selected) return;
  const summary = state.sessions.find((session) => session.sessionId === sessionId);
  renderSession($("session"), sessionId, summary, data);
}

async function loadBackends() {
  const { backends } = await getJson("/dashboard/api/backends");
  renderBackends($("backends"), backends, select);
}

function showError(error) {
  $("live").textContent = `error: ${error.message}`;
  $("live").className = "live down";
}

/** Coalesces bursts of turn events into one refresh at most every 750 ms. */
let refreshTimer;
let refreshSession = false;
function scheduleRefresh(sessionId) {
  if (sessionId === state.selected || state.selected === undefined) refreshSession = true;
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    refreshTimer = undefined;
    const withSession = refreshSession;
    refreshSession = false;
    try {
      await loadOverview();
      if (withSession) await loadSession();
      await loadBackends();
    } catch (error) {
      showError(error);
    }
  }, 750);
}

function connectLive() {
  const events = new EventSource("/dashboard/api/events");
  events.addEventListener("open", () => {
    $("live").textContent = "live";
    $("live").className = "live up";
  });
  events.addEventListener("error", () => {
    $("live").textContent = "reconnecting…";
    $("live").className = "live down";
  });
  events.addEventListener("turn", (event) => scheduleRefresh(JSON.parse(event.data).sessionId));
}

window.addEventListener("hashchange", () => {
  const sessionId = selectedFromHash();
  if (sessionId === undefined || sessionId === state.selected) return;
  state.selected = sessionId;
  renderSessions($("sessions"), state.sessions, state.selected, select);
  loadSession().catch(showError);
});

async function start() {
  try {
    await loadOverview();
    await Promise.all([loadSession(), loadBackends()]);
  } catch (error) {
    showError(error);
    $("session").replaceChildren(el("p", { className: "muted" }, `Could not load the dashboard: ${error.message}`));
  }
  connectLive();
  setInterval(() => loadBackends().catch(showError), BACKEND_POLL_MS);
}

start();
