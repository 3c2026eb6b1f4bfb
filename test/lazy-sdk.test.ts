// GIVEN the policy pack
// WHEN its policies are loaded in a fresh Node process, with the probe `npm run bench` uses
// THEN they load no cloud SDK at all: they match resources by type token and use the SDKs for types only.
// (That a review loads only its own cloud's SDKs is shown by the CLI runs of test/review.test.ts.)
import { expect, test } from "@jest/globals";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const ROOT = path.resolve(__dirname, "..");
const run = promisify(execFile);

test("the policies load @pulumi/policy and @pulumi/pulumi only", async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "lazy-sdk-"));
  const probe = path.join(out, "probe.json");
  try {
    // policies/index.ts would start the pack's server; policies.ts is every policy it serves.
    await run(process.execPath, ["-r", "./bench/probe.js", "-r", "./review/register.js", "-e", 'require("./policies/policies.ts")'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_PROBE: probe },
    });
    expect((JSON.parse(fs.readFileSync(probe, "utf8")) as { sdks: string[] }).sdks).toEqual(["@pulumi/policy", "@pulumi/pulumi"]);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
