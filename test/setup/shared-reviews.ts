// jest globalSetup: reviews every shipped stack, and each production stack under each of its weakenings in
// test/policies/weakenings.ts, once per run before any test file starts, and hands the folder of reports to
// the test workers through the environment (test/reviews.ts reads it). Many files read the same stacks;
// reviewing them here instead of in each file's beforeAll saves a review per file, and a review in plain
// Node takes 0.3-0.45 s where it takes 0.75 s inside jest.
//
// The reports are kept in the OS temp folder under a hash of everything a review reads (see INPUTS), so
// a run whose sources are unchanged reuses them. A failed review is never kept. `jest --no-cache` reviews
// afresh.
import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { WEAKENINGS } from "../policies/weakenings";
import { BOOTSTRAP_STACKS, type FailedReview, jobName, type ReviewJob, REVIEWS_DIR_VARIABLE, reportFile, SHIPPED_STACKS } from "../reviews";
import type { WorkerMessage } from "./review-worker";

/**
 * What a review reads, relative to the project root: the program, the bootstrap, components, review and policy pack;
 * the chart archives and their lock, which the program checks as it installs each chart;
 * the code that runs the reviews here; the dependency tree as installed. Pulumi*.yaml files are added by
 * name. The Node version and PULUMI_* variables are hashed too.
 */
const INPUTS = [
  "infra",
  "components",
  "bootstrap",
  "review",
  "policies",
  "charts",
  "test/setup",
  "test/reviews.ts",
  "test/policies/weakenings.ts",
  "package.json",
  "package-lock.json",
  "node_modules/.package-lock.json",
];
/** Generated review output, not an input. */
const SKIP = new Set(["node_modules", "review/out"]);
/** Marks a folder whose reviews all succeeded, the only kind reused. */
const COMPLETE = "complete";
/** How long an unused folder is kept (a folder in use is touched by each run). */
const KEEP_MS = 24 * 3600_000;

function inputsHash(root: string): string {
  const files: string[] = [];
  const walk = (rel: string) => {
    const stat = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
    if (!stat) return;
    if (!stat.isDirectory()) return void files.push(rel);
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const child = path.posix.join(rel, name);
      if (!SKIP.has(name) && !SKIP.has(child)) walk(child);
    }
  };
  INPUTS.forEach(walk);
  files.push(
    ...fs
      .readdirSync(root)
      .filter((name) => /^Pulumi(\..+)?\.yaml$/.test(name))
      .sort(),
  );
  const hash = createHash("sha256");
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(fs.readFileSync(path.join(root, file)))
      .update("\0");
  const pulumiEnv = Object.entries(process.env)
    .filter(([key]) => key.startsWith("PULUMI_"))
    .sort();
  hash.update(JSON.stringify([process.version, process.platform, process.arch, pulumiEnv]));
  return hash.digest("hex").slice(0, 16);
}

/** Runs the jobs in up to `processes` forked workers; resolves to the names of the jobs that failed. */
function reviewAll(root: string, dir: string, jobs: ReviewJob[], processes: number, timeoutMs: number): Promise<string[]> {
  const worker = path.join(root, "test", "setup", "review-worker.ts");
  const register = path.join(root, "review", "register.js");
  const queue = [...jobs];
  const failed: string[] = [];
  const fail = (job: ReviewJob, message: string) => {
    const report: FailedReview = { reviewError: { name: "Error", message } };
    fs.mkdirSync(path.dirname(reportFile(dir, job)), { recursive: true });
    fs.writeFileSync(reportFile(dir, job), JSON.stringify(report));
    failed.push(jobName(job));
  };
  return new Promise((resolve) => {
    let running = 0;
    const start = () => {
      running += 1;
      const child = fork(worker, [dir], { cwd: root, execArgv: ["-r", register], stdio: ["ignore", "inherit", "inherit", "ipc"] });
      let current: ReviewJob | undefined;
      let started = false;
      let timer: NodeJS.Timeout | undefined;
      const next = () => {
        current = queue.shift();
        if (!current) return void child.send({});
        child.send({ job: current });
        timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      };
      child.on("message", (message: WorkerMessage) => {
        if (message.ready) {
          started = true;
          return next();
        }
        if (!message.done || !current) return;
        clearTimeout(timer);
        if (!message.done.ok) failed.push(jobName(current));
        current = undefined;
        // After a failure the worker exits; a fresh one takes the rest.
        if (message.done.ok) next();
      });
      let ended = false;
      const end = (why: string) => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        running -= 1;
        if (current) fail(current, `the review process ${why} while reviewing ${jobName(current)}`);
        // A worker that never started will not start next time either: fail what is left rather than loop.
        if (!started) while (queue.length > 0) fail(queue.shift()!, `the review process ${why} before it could review anything`);
        if (queue.length > 0) start();
        else if (running === 0) resolve(failed);
      };
      child.on("error", (err) => end(`failed (${err.message})`));
      child.on("exit", (code, signal) =>
        end(signal === "SIGKILL" && current ? `did not finish within ${timeoutMs / 1000} s` : `exited with ${code ?? signal}`),
      );
    };
    for (let i = 0; i < Math.min(processes, queue.length); i++) start();
  });
}

/** Removes other runs' folders nobody has used for a day. */
function prune(base: string, keep: string): void {
  for (const name of fs.readdirSync(base)) {
    const entry = path.join(base, name);
    if (entry !== keep && Date.now() - fs.statSync(entry).mtimeMs > KEEP_MS) fs.rmSync(entry, { recursive: true, force: true });
  }
}

interface GlobalConfig {
  maxWorkers: number;
  testTimeout?: number;
}
interface ProjectConfig {
  rootDir: string;
  cache: boolean;
}

export default async function sharedReviews(globalConfig: GlobalConfig, projectConfig: ProjectConfig): Promise<void> {
  const started = performance.now();
  const root = projectConfig.rootDir;
  // One folder per checkout, so worktrees of the project never prune each other's reports.
  const base = path.join(os.tmpdir(), "platform-shared-reviews", createHash("sha256").update(root).digest("hex").slice(0, 12));
  fs.mkdirSync(base, { recursive: true });
  const cached = path.join(base, inputsHash(root));
  const say = (line: string, timed = true) =>
    process.stderr.write(
      `${process.stderr.isTTY ? "\n" : ""}shared reviews: ${line}${timed ? ` (${((performance.now() - started) / 1000).toFixed(1)} s)` : ""}\n`,
    );

  const jobs: ReviewJob[] = [
    ...SHIPPED_STACKS.map((stack) => ({ kind: "shipped" as const, stack })),
    ...BOOTSTRAP_STACKS.map((stack) => ({ kind: "bootstrap" as const, stack })),
    ...WEAKENINGS.map(([name, , , , stack]) => ({ kind: "weakened" as const, stack, name })),
  ];
  const files = jobs.map((job) => reportFile("", job));
  const shared = files.find((file, i) => files.indexOf(file) !== i);
  if (shared) throw new Error(`two reviews would share ${shared}: name the weakenings in test/policies/weakenings.ts apart`);
  // Checked file by file too, in case something cleaning the temp folder took some of them.
  const complete = (dir: string) => fs.existsSync(path.join(dir, COMPLETE)) && jobs.every((job) => fs.existsSync(reportFile(dir, job)));

  if (projectConfig.cache && complete(cached)) {
    const now = new Date();
    fs.utimesSync(cached, now, now);
    process.env[REVIEWS_DIR_VARIABLE] = cached;
    say(`sources unchanged, reusing ${cached}`);
    return;
  }

  const dir = fs.mkdtempSync(path.join(base, "run-"));
  const processes = Math.max(1, Math.min(globalConfig.maxWorkers, 4));
  const what = `${SHIPPED_STACKS.length} shipped stacks, ${BOOTSTRAP_STACKS.length} bootstrap stacks and ${WEAKENINGS.length} weakened production stacks in ${processes} processes`;
  say(`reviewing ${what}, before the first test file starts`, false);
  const failed = await reviewAll(root, dir, jobs, processes, globalConfig.testTimeout ?? 60_000);
  let used = dir;
  if (failed.length === 0 && projectConfig.cache) {
    fs.writeFileSync(path.join(dir, COMPLETE), "");
    if (!complete(cached)) fs.rmSync(cached, { recursive: true, force: true });
    try {
      fs.renameSync(dir, cached);
      used = cached;
    } catch {
      // Another run with the same sources finished first: its reports are the same.
      if (complete(cached)) {
        fs.rmSync(dir, { recursive: true, force: true });
        used = cached;
      }
    }
  }
  process.env[REVIEWS_DIR_VARIABLE] = used;
  prune(base, used);
  if (failed.length > 0) say(`failed: ${failed.join(", ")} (the tests that read them fail with its error)`);
  else say(used === cached ? `done, kept in ${used} for runs with the same sources` : `done, in ${used}`);
}
