// Forked by shared-reviews.ts and run in plain Node (`node -r ./review/register.js`), where a review is about
// twice as fast as inside a jest worker: reviews the jobs the parent sends, one at a time since the mock
// runtime is process-wide, and writes each report where test/reviews.ts reads it. After a failed review it
// exits, so no job runs after another's half-finished registrations.
import "./fast-promises";
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { type ReviewReport, reviewStack } from "../../review/review";
import { reviewWeakened, WEAKENINGS } from "../policies/weakenings";
import { type FailedReview, type ReviewJob, reportFile } from "../reviews";

const ROOT = path.resolve(__dirname, "..", "..");
const dir = process.argv[2]!;

export interface WorkerMessage {
  ready?: true;
  done?: { ok: boolean };
}

function review(job: ReviewJob): Promise<ReviewReport> {
  if (job.kind === "shipped") return reviewStack({ root: ROOT, stack: job.stack });
  if (job.kind === "bootstrap") return reviewStack({ root: ROOT, project: path.join(ROOT, "bootstrap"), stack: job.stack });
  const weakening = WEAKENINGS.find(([name, , , , stack]) => name === job.name && stack === job.stack);
  if (!weakening) throw new Error(`no weakening "${job.name}" of stack ${job.stack} in test/policies/weakenings.ts`);
  return reviewWeakened(job.stack, weakening[3]);
}

async function run(job: ReviewJob): Promise<boolean> {
  const file = reportFile(dir, job);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let text: string;
  let ok = true;
  try {
    const report = await review(job);
    text = JSON.stringify(report);
    // The tests read the parsed file in place of what reviewStack returned: refuse anything JSON would change
    // (undefined values, class instances, non-finite numbers) rather than let a test read something else.
    if (!isDeepStrictEqual(JSON.parse(text), report))
      throw new Error(`the review of ${JSON.stringify(job)} holds values JSON does not keep, so it cannot be shared through a file`);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    const failed: FailedReview = { reviewError: { name: error.name, message: error.message, ...(error.stack && { stack: error.stack }) } };
    text = JSON.stringify(failed);
    ok = false;
  }
  fs.writeFileSync(file, text);
  return ok;
}

const send = (message: WorkerMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

process.on("message", (message: { job?: ReviewJob }) => {
  if (!message.job) process.exit(0);
  void run(message.job).then(async (ok) => {
    await send({ done: { ok } });
    if (!ok) process.exit(1);
  });
});
void send({ ready: true });
