// GIVEN an AWS stack and a GCP stack
// WHEN each is reviewed through the CLI, in a fresh Node process, with the probe `npm run bench` uses
// THEN each loads the Pulumi SDKs its own cloud needs and no other: an AWS review never loads
//      @pulumi/gcp, and a GCP review loads of @pulumi/aws only its enums (the region list the config
//      checks and the managed policy list the review checks, no provider code).
// AND the policies load no cloud SDK at all: they match resources by type token and use the SDKs for types only.
import { expect, test } from "@jest/globals";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const ROOT = path.resolve(__dirname, "..");
const run = promisify(execFile);

const LOADED: Record<string, string[]> = {
  production: ["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/policy", "@pulumi/pulumi", "@pulumi/random"],
  "gcp-dev": ["@pulumi/aws/types/enums", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/policy", "@pulumi/pulumi", "@pulumi/random"],
};

/** The SDKs `node -r ./review/register.js <args>` loaded, run from the project root. */
async function sdksLoadedBy(args: (out: string) => string[]): Promise<string[]> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "lazy-sdk-"));
  const probe = path.join(out, "probe.json");
  try {
    await run(process.execPath, ["-r", "./bench/probe.js", "-r", "./review/register.js", ...args(out)], {
      cwd: ROOT,
      env: { ...process.env, BENCH_PROBE: probe },
    });
    return (JSON.parse(fs.readFileSync(probe, "utf8")) as { sdks: string[] }).sdks;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

test.each(Object.entries(LOADED))("a review of %s loads exactly %j", async (stack, sdks) => {
  expect(await sdksLoadedBy((out) => ["review/cli.ts", "--stack", stack, "--out", out])).toEqual(sdks);
});

test("the policies load @pulumi/policy and @pulumi/pulumi only", async () => {
  // policies/index.ts would start the pack's server; policies.ts is every policy it serves.
  expect(await sdksLoadedBy(() => ["-e", 'require("./policies/policies.ts")'])).toEqual(["@pulumi/policy", "@pulumi/pulumi"]);
});
