// GIVEN each production stack (production on AWS, gcp-production on GCP), reviewed exactly as `npm run review`
//       does (its stack file, the real program, the production policy config)
// WHEN one safeguard is weakened at a time, by a stack transformation over the inputs or options the
//      components pass to the engine (the stack config cannot do it: its guard rails refuse every one of
//      these values before anything is registered, see test/config.test.ts)
// THEN the review fails with a mandatory violation of the policy that guards it, on the weakened
//      resources, and of no other policy; the unweakened stack passes.
// The weakenings are in ./weakenings.ts; the global setup reviews each once per run (test/reviews.ts).
import { describe, expect, test } from "@jest/globals";
import type { ReviewReport } from "../../review/review";
import { shippedReview, weakenedReview } from "../reviews";
import { WEAKENED_STACKS, WEAKENINGS } from "./weakenings";

const mandatoryViolations = (report: ReviewReport) =>
  report.policies
    .filter((p) => p.enforcementLevel === "mandatory")
    .flatMap((p) => p.violations.map((v) => ({ policy: p.name, resource: v.urn.split("::").pop() })));

describe.each(WEAKENED_STACKS)("weakening one %s safeguard fails the review on its policy", (stack) => {
  test(`the ${stack} stack as shipped has no mandatory violation`, () => {
    expect(mandatoryViolations(shippedReview(stack))).toEqual([]);
  });

  const rows = WEAKENINGS.filter((row) => row[4] === stack).map(([weakening, policy, resources]) => {
    const named = [resources].flat();
    return [weakening, policy, named.join(" and "), named] as const;
  });
  test.each(rows)("%s fails on %s at %s", (weakening, policy, _at, resources) => {
    expect(mandatoryViolations(weakenedReview(stack, weakening))).toEqual(resources.map((resource) => ({ policy, resource })));
  });
});
