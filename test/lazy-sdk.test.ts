// GIVEN an AWS stack and a GCP stack
// WHEN each is reviewed through the CLI, in a fresh Node process, with the probe `npm run bench` uses
// THEN each loads the Pulumi SDKs its own cloud needs and no other: an AWS review never loads
//      @pulumi/gcp, and a GCP review loads of @pulumi/aws only its enums (the region list the config
//      checks and the managed policy list the review checks, no provider code).
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

test.each(Object.entries(LOADED))("a review of %s loads exactly %j", async (stack, sdks) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "lazy-sdk-"));
  const probe = path.join(out, "probe.json");
  try {
    await run(process.execPath, ["-r", "./bench/probe.js", "-r", "./review/register.js", "review/cli.ts", "--stack", stack, "--out", out], {
      cwd: ROOT,
      env: { ...process.env, BENCH_PROBE: probe },
    });
    expect((JSON.parse(fs.readFileSync(probe, "utf8")) as { sdks: string[] }).sdks).toEqual(sdks);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
