// GIVEN the shipped stack files and the real program
// WHEN the offline review runs the policy pack over each of them with its environment's config
// THEN every policy of the pack reports at the environment's level, and no mandatory policy fails.
import { beforeAll, describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../../policies/policies";
import type { ReviewReport } from "../../review/review";
import { shippedReview } from "../reviews";

const ROOT = path.resolve(__dirname, "..", "..");

describe.each([
  ["dev", "dev"],
  ["staging", "staging"],
  ["production", "production"],
  ["gcp-dev", "dev"],
  ["gcp-production", "production"],
] as const)("stack %s", (stack, environment) => {
  let review: ReviewReport;
  beforeAll(() => {
    review = shippedReview(stack);
  });

  test(`GIVEN its ${environment} policy config THEN every policy reports at that config's level`, () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${environment}.json`), "utf8")) as Record<
      string,
      { enforcementLevel: string }
    >;
    expect(review.policies.map((p) => [p.name, p.enforcementLevel])).toEqual(
      policies.map((p) => [p.name, config[p.name]!.enforcementLevel]),
    );
  });

  test("THEN no mandatory policy fails", () => {
    const failing = review.policies.filter((p) => p.enforcementLevel === "mandatory" && p.violations.length > 0);
    expect(failing.map((p) => ({ policy: p.name, violations: p.violations }))).toEqual([]);
  });
});
