// The reviews many test files read, made once per jest run by the global setup (test/setup/shared-reviews.ts)
// in plain Node and read back here:
//   const report = shippedReview("production");   // what reviewStack({ root, stack: "production" }) returns
//   const weakened = weakenedReview("production", "a public database");   // a row of test/policies/weakenings.ts
// Each call parses the file afresh, so no test sees another's changes to a report.
import * as fs from "node:fs";
import * as path from "node:path";
import type { ReviewReport } from "../review/review";
import type { WeakenedStack } from "./policies/weakenings";

/** Every stack file the project ships; the global setup reviews each once per run. */
export const SHIPPED_STACKS = ["dev", "gcp-dev", "gcp-production", "production", "staging"] as const;
export type ShippedStack = (typeof SHIPPED_STACKS)[number];
/** The stack files of the bootstrap project (bootstrap/), reviewed once per run as well. */
export const BOOTSTRAP_STACKS = ["aws", "gcp"] as const;
export type BootstrapStack = (typeof BOOTSTRAP_STACKS)[number];

export type ReviewJob =
  | { kind: "shipped"; stack: ShippedStack }
  | { kind: "bootstrap"; stack: BootstrapStack }
  | { kind: "weakened"; stack: WeakenedStack; name: string };

/** The environment variable naming the folder the global setup wrote the reports to. */
export const REVIEWS_DIR_VARIABLE = "PLATFORM_SHARED_REVIEWS";

/** What the setup writes in place of a report when the review failed, so the tests reading it fail with its error. */
export interface FailedReview {
  reviewError: { name: string; message: string; stack?: string };
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** Where a job's report lives in the folder of one run. */
export function reportFile(dir: string, job: ReviewJob): string {
  return job.kind === "weakened"
    ? path.join(dir, job.kind, job.stack, `${slug(job.name)}.json`)
    : path.join(dir, job.kind, `${job.stack}.json`);
}

/** What a job reviews, as the messages about it say. */
export const jobName = (job: ReviewJob): string =>
  job.kind === "shipped"
    ? `stack ${job.stack}`
    : job.kind === "bootstrap"
      ? `bootstrap stack ${job.stack}`
      : `stack ${job.stack} weakened by "${job.name}"`;

function read(job: ReviewJob): ReviewReport {
  const what = jobName(job);
  const dir = process.env[REVIEWS_DIR_VARIABLE];
  if (!dir)
    throw new Error(
      `${REVIEWS_DIR_VARIABLE} is not set: ${what} is reviewed by jest's globalSetup (jest.config.js), so run the tests through jest with that config`,
    );
  const file = reportFile(dir, job);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: the global setup did not review ${what}`);
  const read = JSON.parse(fs.readFileSync(file, "utf8")) as ReviewReport | FailedReview;
  if ("reviewError" in read) {
    const { name, message, stack } = read.reviewError;
    throw Object.assign(new Error(message), { name, ...(stack && { stack }) });
  }
  return read;
}

/** The review of a shipped stack, exactly as `reviewStack({ root, stack })` returns it (after a JSON round trip it survives unchanged). */
export function shippedReview(stack: ShippedStack): ReviewReport {
  return read({ kind: "shipped", stack });
}

/** The review of a bootstrap stack, as `reviewStack({ root, project: "<root>/bootstrap", stack })` returns it. */
export function bootstrapReview(stack: BootstrapStack): ReviewReport {
  return read({ kind: "bootstrap", stack });
}

/** The review of `stack` under one weakening of test/policies/weakenings.ts, named by its label. */
export function weakenedReview(stack: WeakenedStack, name: string): ReviewReport {
  return read({ kind: "weakened", stack, name });
}
