// GIVEN the shipped stack files and the real program
// WHEN the offline review runs the policy pack over each of them with its environment's config
// THEN every policy of the pack reports at the environment's level, and no mandatory policy fails.
import { beforeAll, describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../../policies/policies";
import { type ReviewReport, reviewStack } from "../../review/review";
import { loadProject } from "../../review/stack-file";

const ROOT = path.resolve(__dirname, "..", "..");
const project = loadProject(ROOT);

describe.each([
  ["dev", "dev"],
  ["staging", "staging"],
  ["production", "production"],
  ["gcp-dev", "dev"],
  ["gcp-production", "production"],
])("stack %s", (stack, environment) => {
  // One review per stack, one at a time: the mock runtime behind it is process-wide.
  let review: ReviewReport;
  beforeAll(async () => {
    review = await reviewStack({ root: ROOT, stack }, project);
  });

  test(`GIVEN its ${environment} policy config THEN every policy reports at that config's level`, () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${environment}.json`), "utf8")) as Record<string, { enforcementLevel: string }>;
    expect(review.policies.map((p) => [p.name, p.enforcementLevel])).toEqual(policies.map((p) => [p.name, config[p.name]!.enforcementLevel]));
  });

  test("THEN no mandatory policy fails", () => {
    const failing = review.policies.filter((p) => p.enforcementLevel === "mandatory" && p.violations.length > 0);
    expect(failing.map((p) => ({ policy: p.name, violations: p.violations }))).toEqual([]);
  });
});
