// GIVEN the shipped stack files and the real program
// WHEN the offline review runs the policy pack over each of them with its environment's config
// THEN every policy of the pack reports at the environment's level, no mandatory policy fails, and every
//      policy evaluates at least one resource but those written for the other cloud's resources.
import { beforeAll, describe, expect, test } from "@jest/globals";
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../../policies/policies";
import type { ReviewReport } from "../../review/review";
import { AWS_ONLY_POLICIES, GCP_ONLY_POLICIES } from "../cloud-policies";
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

  test("THEN every policy it enables evaluates at least one resource, but the other cloud's", () => {
    const enabled = review.policies.filter((p) => p.enforcementLevel !== "disabled");
    const otherCloud = stack.startsWith("gcp-") ? AWS_ONLY_POLICIES : GCP_ONLY_POLICIES;
    expect(enabled.filter((p) => p.evaluated === 0).map((p) => p.name)).toEqual(
      otherCloud.filter((name) => enabled.some((p) => p.name === name)),
    );
  });

  test("THEN no mandatory policy fails", () => {
    const failing = review.policies.filter((p) => p.enforcementLevel === "mandatory" && p.violations.length > 0);
    expect(failing.map((p) => ({ policy: p.name, violations: p.violations }))).toEqual([]);
  });
});
