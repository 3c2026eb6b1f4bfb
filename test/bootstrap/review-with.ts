// A bootstrap stack reviewed in this process with some of its stack file's keys replaced, for tests of settings
// the shipped stack files leave at their defaults.
import * as path from "node:path";
import { loadProject, loadStackConfig } from "../../review/stack-file";
import { type ReviewReport, reviewStack } from "../../review/review";

const ROOT = path.resolve(__dirname, "..", "..");
const BOOTSTRAP = path.join(ROOT, "bootstrap");

/** The review of bootstrap/Pulumi.<stack>.yaml with `overrides` (`platform-bootstrap:<key>` -> text as the engine passes it). */
export async function bootstrapReviewWith(stack: "aws" | "gcp", overrides: Record<string, string>): Promise<ReviewReport> {
  const project = loadProject(BOOTSTRAP);
  const file = loadStackConfig(project, stack);
  return reviewStack({ root: ROOT, project: BOOTSTRAP, stack }, project, { ...file, config: { ...file.config, ...overrides } });
}
