import { el, shortId } from "./format.js";

/** Each backend, and for llama-server which lane holds which slot. */
export function renderBackends(container, backends, onSelectSession) {
  if (backends.length === 0) {
    container.replaceChildren(el("p", { className: "muted" }, "No backends."));
    return;
  }
  container.replaceChildren(
    ...backends.map((backend) =>
      el(
        "div",
        { className: "backend", "data-backend": backend.name },
        el(
          "div",
          { className: "backend-head" },
          el("b", {}, backend.name),
          el("span", { className: `badge ${backend.local ? "local" : "cloud"}` }, backend.local ? "local" : "cloud"),
          el("span", { className: "muted small" }, ` ${backend.kind}${backend.url ? ` · ${backend.url}` : ""}`),
        ),
        backend.slots === null
          ? el("p", { className: "muted small" }, backend.local ? "slots not known yet" : "no slots (cloud)")
          : el(
              "ul",
              { className: "slots" },
              backend.slots.map((slot) =>
                el(
                  "li",
                  { className: slot.busy ? "slot busy" : "slot", "data-slot": slot.slot },
                  el(
                    "span",
                    { className: "slot-id" },
                    slot.model ? `${slot.model} · slot ${slot.slot}` : `slot ${slot.slot}`,
                  ),
                  slot.sessionId === null
                    ? el("span", { className: "muted" }, "free")
                    : el(
                        "button",
                        {
                          className: "link",
                          title: `${slot.sessionId}/${slot.laneName}`,
                          onclick: () => onSelectSession(slot.sessionId),
                        },
                        `${slot.laneName} · ${shortId(slot.sessionId)}`,
                      ),
                  slot.busy ? el("span", { className: "badge busy" }, "busy") : null,
                  slot.inRamCache
                    ? el(
                        "span",
                        {
                          className: "badge ram",
                          title: "idle: its prompt waits in the server's RAM cache, and comes back with its next turn",
                        },
                        "in RAM",
                      )
                    : null,
                ),
              ),
            ),
      ),
    ),
  );
}
