import { describe, expect, it } from "vitest";
import type { Backend } from "../backends/backend.js";
import type { Route } from "./model-router.js";
import { type BackendHealthView, routeAroundDown } from "./route-around-down.js";

/** Routing reads only a backend's name and whether it is local. */
const backend = (name: string, local: boolean) => ({ name, local }) as Backend;
const gpu = backend("gpu", true);
const laptop = backend("laptop", true);
const cloud = backend("cloud", false);

const downIs = (...names: string[]): BackendHealthView => ({
  isUp: (name) => !names.includes(name),
  status: (name) => ({ name, up: !names.includes(name), since: "2026-12-01T00:00:00.000Z", consecutiveFailures: 1 }),
});

const route = (to: Backend, reason: string): Route => ({ backend: to, model: `${to.name}-model`, reason });
const modelOf = (to: Backend) => `${to.name}-default`;

describe("routeAroundDown", () => {
  it("keeps the route when its backend is up, or when nothing watches health", () => {
    const original = route(gpu, "default");
    expect(routeAroundDown(original, [gpu, laptop], downIs("laptop"), modelOf)).toBe(original);
    expect(routeAroundDown(original, [gpu, laptop], undefined, modelOf)).toBe(original);
  });

  it.each(["default", "claude-name", "session-placement"])(
    "moves a %s route off a backend that is down, to a local one that is up before a cloud",
    (reason) => {
      const moved = routeAroundDown(route(gpu, reason), [gpu, cloud, laptop], downIs("gpu"), modelOf);
      expect(moved).toEqual({ backend: laptop, model: "laptop-default", reason: `${reason}; gpu down` });
    },
  );

  it("goes to a cloud when every local backend is down", () => {
    const moved = routeAroundDown(route(gpu, "default"), [gpu, laptop, cloud], downIs("gpu", "laptop"), modelOf);
    expect(moved.backend).toBe(cloud);
  });

  it("keeps the backend, saying so, when nothing else can serve: its own error reaches the client", () => {
    const kept = routeAroundDown(route(gpu, "default"), [gpu, cloud], downIs("gpu", "cloud"), modelOf);
    expect(kept).toEqual({ backend: gpu, model: "gpu-model", reason: "default; gpu down, nothing else can serve" });
  });

  it.each(["alias", "served-model"])("never moves an explicit %s route", (reason) => {
    const kept = routeAroundDown(route(gpu, reason), [gpu, laptop], downIs("gpu"), modelOf);
    expect(kept).toEqual({ backend: gpu, model: "gpu-model", reason: `${reason}; gpu down` });
  });
});
