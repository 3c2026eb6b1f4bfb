// GIVEN the production stack, reviewed exactly as `npm run review` does (its stack file, the real program, the
//       production policy config)
// WHEN one safeguard is weakened at a time, by a stack transformation over the inputs or options the
//      components pass to the engine (the stack config cannot do it: its guard rails refuse every one of
//      these values before anything is registered, see test/config.test.ts)
// THEN the review fails with a mandatory violation of the policy that guards it, on the weakened
//      resource, and of no other policy; the unweakened stack passes.
// The weakenings are in ./weakenings.ts; the global setup reviews each once per run (test/reviews.ts).
import { describe, expect, test } from "@jest/globals";
import type { ReviewReport } from "../../review/review";
import { shippedReview, weakenedReview } from "../reviews";
import { WEAKENINGS } from "./weakenings";

const mandatoryViolations = (report: ReviewReport) =>
  report.policies
    .filter((p) => p.enforcementLevel === "mandatory")
    .flatMap((p) => p.violations.map((v) => ({ policy: p.name, resource: v.urn.split("::").pop() })));

describe("weakening one production safeguard fails the review on its policy", () => {
  test("the production stack as shipped has no mandatory violation", () => {
    expect(mandatoryViolations(shippedReview("production"))).toEqual([]);
  });

  test.each(WEAKENINGS)("%s fails on %s at %s", (weakening, policy, resource) => {
    expect(mandatoryViolations(weakenedReview(weakening))).toEqual([{ policy, resource }]);
  });
});
