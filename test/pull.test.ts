import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { planFit } from "../src/fit/fit-plan.js";
import { readGgufHeader } from "../src/fit/model-header.js";
import { readModelHparams } from "../src/fit/model-hparams.js";
import { loadModelHeaders } from "../src/fit/model-source.js";
import { realShapeHeader } from "../src/fit/real-model-shapes.js";
import { ensureSparseModel } from "../src/fit/sparse-model-files.js";
import { GgmlType } from "../src/gguf/gguf-types.js";
import { serializeGgufHeader } from "../src/gguf/gguf-writer.js";
import { downloadFile } from "../src/pull/download-file.js";
import { parseHfReference } from "../src/pull/hf-reference.js";
import { HubClient } from "../src/pull/hub-client.js";
import { HubError } from "../src/pull/hub-errors.js";
import { pullModel } from "../src/pull/pull-model.js";
import { runCli } from "./cli.js";
import { type FakeHub, startFakeHub } from "./fake-hf-hub.js";

const scratch = mkdtempSync(join(tmpdir(), "switchyard-pull-"));
const weights = randomBytes(3 * 1024 * 1024);
const parts = [randomBytes(700_000), randomBytes(700_000), randomBytes(300_000)];
// Header-only GGUFs (what `fit` reads by range requests): Llama-3.1-8B as Q4_K_M, and all in Q8_0.
const llamaQ4 = serializeGgufHeader(realShapeHeader("llama-3.1-8b"));
const llamaQ8Header = realShapeHeader("llama-3.1-8b");
const llamaQ8 = serializeGgufHeader({
  ...llamaQ8Header,
  tensors: llamaQ8Header.tensors.map((tensor) => ({
    ...tensor,
    type: tensor.dims.length > 1 ? GgmlType.Q8_0 : tensor.type,
  })),
});

let hub: FakeHub;
beforeAll(async () => {
  hub = await startFakeHub({
    "acme/Tiny-GGUF": { files: { "Tiny-Q4_K_M.gguf": weights, "README.md": Buffer.from("# tiny") } },
    "acme/Split-GGUF": {
      files: {
        "Q8_0/Split-Q8_0-00001-of-00003.gguf": parts[0] as Buffer,
        "Q8_0/Split-Q8_0-00002-of-00003.gguf": parts[1] as Buffer,
        "Q8_0/Split-Q8_0-00003-of-00003.gguf": parts[2] as Buffer,
      },
    },
    "acme/Gated-GGUF": { files: { "Gated-Q4_0.gguf": randomBytes(200_000) }, token: "hf_secret" },
    "meta/Llama-3.1-8B-GGUF": { files: { "Llama-3.1-8B-Q4_K_M.gguf": llamaQ4, "Llama-3.1-8B-Q8_0.gguf": llamaQ8 } },
  });
});
afterAll(async () => {
  await hub.close();
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(() => {
  hub.cutAfter.clear();
  hub.corrupt.clear();
});

const client = (token?: string) => new HubClient({ endpoint: hub.url, timeoutMs: 10_000, ...(token ? { token } : {}) });
let run = 0;
const freshDirectory = () => join(scratch, `run-${run++}`);

describe("pull against a loopback Hugging Face hub", () => {
  it("a cut download resumes with a range request and verifies", async () => {
    const directory = freshDirectory();
    hub.cutAfter.set("Tiny-Q4_K_M.gguf", 1_000_000);
    const reference = parseHfReference("hf:acme/Tiny-GGUF:Q4_K_M");
    const first = await pullModel({ client: client(), reference, directory }).catch((error: Error) => error);
    expect(first).toBeInstanceOf(HubError);
    expect((first as Error).message).toMatch(/kept in .*\.partial; pull again to resume/);
    const partial = join(directory, "acme", "Tiny-GGUF", "Tiny-Q4_K_M.gguf.partial");
    const kept = statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(weights.length);

    const second = await pullModel({ client: client(), reference, directory });
    expect(second).toMatchObject({ quant: "Q4_K_M", resumed: true, verified: true });
    expect(readFileSync(second.paths[0] ?? "").equals(weights)).toBe(true);
    expect(hub.requests.some((request) => request.range === `bytes=${kept}-`)).toBe(true);
  });

  it("refuses a file whose sha256 is wrong, keeps it, and a later good download replaces it", async () => {
    const directory = freshDirectory();
    hub.corrupt.add("Tiny-Q4_K_M.gguf");
    const reference = parseHfReference("hf:acme/Tiny-GGUF:Q4_K_M");
    const failure = await pullModel({ client: client(), reference, directory }).catch((error: HubError) => error);
    expect(failure).toMatchObject({ code: "checksum_mismatch" });
    expect((failure as Error).message).toContain("does not match its sha256");
    const final = join(directory, "acme", "Tiny-GGUF", "Tiny-Q4_K_M.gguf");
    expect(existsSync(final)).toBe(false);
    expect(statSync(`${final}.partial`).size).toBe(weights.length);

    hub.corrupt.clear();
    const retry = await pullModel({ client: client(), reference, directory });
    expect(readFileSync(retry.paths[0] ?? "").equals(weights)).toBe(true);
  });

  it("a 404 names the repository, and the file", async () => {
    const missingRepo = await pullModel({
      client: client(),
      reference: parseHfReference("hf:acme/Nope-GGUF:Q4_K_M"),
      directory: freshDirectory(),
    }).catch((error: Error) => error);
    expect(missingRepo).toMatchObject({ code: "not_found" });
    expect((missingRepo as Error).message).toContain("acme/Nope-GGUF");
    const missingFile = await downloadFile({
      client: client(),
      repo: "acme/Tiny-GGUF",
      path: "Tiny-Q9_K.gguf",
      destination: join(freshDirectory(), "x.gguf"),
      size: 10,
    }).catch((error: Error) => error);
    expect(missingFile).toMatchObject({ code: "not_found" });
    expect((missingFile as Error).message).toBe("404: acme/Tiny-GGUF has no file Tiny-Q9_K.gguf");
    const missingQuant = await pullModel({
      client: client(),
      reference: parseHfReference("hf:acme/Tiny-GGUF:Q8_0"),
      directory: freshDirectory(),
    }).catch((error: Error) => error);
    expect((missingQuant as Error).message).toBe("acme/Tiny-GGUF has no Q8_0 GGUF (quants there: Q4_K_M)");
  });

  it("sends HF_TOKEN, and says what to do on 401", async () => {
    const reference = parseHfReference("hf:acme/Gated-GGUF:Q4_0");
    const refused = await pullModel({ client: client(), reference, directory: freshDirectory() }).catch(
      (error: Error) => error,
    );
    expect(refused).toMatchObject({ code: "unauthorized" });
    expect((refused as Error).message).toContain("set HF_TOKEN");
    const pulled = await pullModel({ client: client("hf_secret"), reference, directory: freshDirectory() });
    expect(pulled.verified).toBe(true);
    expect(hub.requests.some((request) => request.authorization === "Bearer hf_secret")).toBe(true);
  });

  it("pulls every part of a split GGUF, in order", async () => {
    const pulled = await pullModel({
      client: client(),
      reference: parseHfReference("hf:acme/Split-GGUF:Q8_0"),
      directory: freshDirectory(),
    });
    expect(pulled.paths.map((path) => path.split("/").pop())).toEqual([
      "Split-Q8_0-00001-of-00003.gguf",
      "Split-Q8_0-00002-of-00003.gguf",
      "Split-Q8_0-00003-of-00003.gguf",
    ]);
    for (const [index, path] of pulled.paths.entries())
      expect(readFileSync(path).equals(parts[index] as Buffer)).toBe(true);
  });

  it("says so when the hub cannot be reached", async () => {
    const closed = new HubClient({ endpoint: "http://127.0.0.1:9", timeoutMs: 5_000 });
    const failure = await pullModel({
      client: closed,
      reference: parseHfReference("hf:acme/Tiny-GGUF:Q4_K_M"),
      directory: freshDirectory(),
    }).catch((error: Error) => error);
    expect(failure).toMatchObject({ code: "unreachable" });
    expect((failure as Error).message).toContain("cannot reach http://127.0.0.1:9");
  });

  it("fit reads an hf: model's header by range requests, no weights, and plans it as the local file", async () => {
    const before = hub.requests.length;
    const [remote] = await loadModelHeaders("hf:meta/Llama-3.1-8B-GGUF:Q4_K_M", client());
    const local = await readGgufHeader(ensureSparseModel(scratch, "llama-3.1-8b"));
    expect(remote?.header.tensors).toEqual(local.tensors);
    const cdnReads = hub.requests.slice(before).filter((request) => request.path.startsWith("/cdn/"));
    expect(cdnReads.length).toBeGreaterThan(0);
    expect(cdnReads.every((request) => request.range !== undefined)).toBe(true);
    const request = {
      context: 32768,
      parallel: 1,
      unified: true,
      ubatch: 512,
      swaFull: false,
      cache: { k: "f16", v: "f16" },
      cpuMoeLayers: 0,
      devices: [{ name: "host", kind: "host" as const, bytes: 16 * 2 ** 30 }],
      marginBytes: 2 ** 30,
    };
    const model = readModelHparams(local.metadata);
    expect(planFit(model, remote?.header.tensors ?? [], request).estimate).toEqual(
      planFit(model, local.tensors, request).estimate,
    );
  });

  it("switchyard pull without a quant takes the largest that fits, verified", async () => {
    const cache = freshDirectory();
    const result = await runCli(["pull", "hf:meta/Llama-3.1-8B-GGUF", "--ram", "9GiB", "--ctx", "8k"], {
      HF_ENDPOINT: hub.url,
      SWITCHYARD_CACHE_DIR: cache,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("choosing Q4_K_M");
    expect(result.stderr).toContain("verified (sha256)");
    const path = result.stdout.trim().split("\n").pop() ?? "";
    expect(path).toBe(join(cache, "models", "hf", "meta", "Llama-3.1-8B-GGUF", "Llama-3.1-8B-Q4_K_M.gguf"));
    expect(readFileSync(path).equals(llamaQ4)).toBe(true);
  });
});
