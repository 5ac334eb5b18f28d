import { setFlagsFromString } from "node:v8";

/**
 * Tells V8 to compile each function to machine code (Sparkplug, its baseline compiler) the first time
 * it runs, with its type feedback from the first call, instead of interpreting it until it has run
 * often enough. A gateway runs most of its request path once per request: with an agent's turns seconds
 * apart that code never gets warm, and V8's interpreter runs it several times slower than compiled code
 * (bench:overhead-stages times the same stages in a hot loop 3–10× faster than the live gateway runs
 * them). Sparkplug does not optimise or speculate, so nothing deoptimises: the cost is a little more
 * memory for code and feedback. Measured in bench:overhead beside the same build without it (one run of
 * 60, replay upstream): 0.26 ms sooner to the first delta on the 92 KB request and 0.32 ms on one message,
 * RSS unchanged (docs/design/request-path-cost.md).
 *
 * Set by `switchyard serve` before the gateway starts; V8 reads both flags when a function is first
 * compiled, which for the request path is its first request.
 */
export function compileOnFirstCall(): void {
  setFlagsFromString("--always-sparkplug");
  setFlagsFromString("--no-lazy-feedback-allocation");
}
