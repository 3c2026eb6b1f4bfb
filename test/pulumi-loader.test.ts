// GIVEN the program's sources and tsconfig.json
// WHEN they are loaded the way `pulumi up` loads a TypeScript program (the SDK's ts-node, run.js options)
// THEN every shipped stack runs and registers exactly what the review's own loader sees.
import { describe, expect, test } from "@jest/globals";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { shippedReview } from "./reviews";

const ROOT = path.resolve(__dirname, "..");
const run = promisify(execFile);

describe("the Pulumi CLI's TypeScript loader", () => {
  test.each(["production", "gcp-dev"] as const)("loads and runs the %s stack", async (stack) => {
    const { stdout } = await run(process.execPath, [path.join(__dirname, "fixtures", "pulumi-loader.js"), stack], { cwd: ROOT });
    const report = shippedReview(stack);
    expect(JSON.parse(stdout)).toEqual({
      tsnode: "node_modules/@pulumi/pulumi/vendor/ts-node@7.0.1",
      typescript: "5.9.3",
      // The same resources; the order in which outputs resolve, and so registrations arrive, may differ.
      urns: expect.arrayContaining(report.resources.map((r) => r.urn)) as unknown,
    });
    expect((JSON.parse(stdout) as { urns: string[] }).urns).toHaveLength(report.resources.length);
  });
});
